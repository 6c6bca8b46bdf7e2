"""Views of the connector outside the admin's ModelAdmins: the connect flows (CONN-2)."""
