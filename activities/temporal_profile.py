"""Where Temporal is and how to reach it, read as the `temporal` CLI reads it.

`temporalio.envconfig` applies the profile `TEMPORAL_PROFILE` (default `default`) of the config
file `TEMPORAL_CONFIG_FILE` (default `~/.config/temporalio/temporal.toml`, when present), then the
variables `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, `TEMPORAL_TLS`,
`TEMPORAL_TLS_CLIENT_CERT_PATH`, `TEMPORAL_TLS_CLIENT_KEY_PATH`,
`TEMPORAL_TLS_SERVER_CA_CERT_PATH`, `TEMPORAL_TLS_SERVER_NAME` over it. An API key turns TLS on.
"""

from __future__ import annotations

from collections.abc import Mapping

from temporalio.envconfig import ClientConfigProfile

DEFAULT_ADDRESS = "localhost:7233"
DEFAULT_NAMESPACE = "default"
TLS_SWITCHES = {"true", "false", "1", "0"}


class ProfileError(ValueError):
    """The Temporal connection settings cannot be used; the message names the culprit."""


def load_profile(env: Mapping[str, str]) -> ClientConfigProfile:
    """The profile with the environment applied. Certificate files are read now, so a missing
    one is reported at start rather than at the first connection."""
    tls = env.get("TEMPORAL_TLS")
    if tls and tls.strip().lower() not in TLS_SWITCHES:
        raise ProfileError(f"TEMPORAL_TLS={tls!r} is not one of true, false, 1, 0")
    try:
        profile = ClientConfigProfile.load(override_env_vars=dict(env))
    except RuntimeError as e:
        source = env.get("TEMPORAL_CONFIG_FILE") or "~/.config/temporalio/temporal.toml"
        raise ProfileError(f"Temporal client configuration ({source}): {e}") from None
    try:
        profile.to_client_connect_config()
    except OSError as e:
        raise ProfileError(f"cannot read a TLS file named by TEMPORAL_TLS_*: {e}") from None
    return profile
