"""Placeholder until this blueprint lands."""

from flask import Blueprint

bp = Blueprint("oai", __name__)
