"""Placeholder until this blueprint lands."""

from flask import Blueprint

bp = Blueprint("ui", __name__)
