"""Protocol clients, HTTP client and partner simulator tests."""
