"""Every state change of the connector: atomic, audited, `<entity>_<action>(*, ..., actor)`."""
