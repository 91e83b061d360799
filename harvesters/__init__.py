"""Protocol clients: each turns a partner endpoint into pages of raw records."""
