"""Flask app: the teachers' UI, the open-data API and the OAI-PMH endpoint."""
