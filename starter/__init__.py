"""The `repairdesk` command: call centre, technicians, managers and operators."""
