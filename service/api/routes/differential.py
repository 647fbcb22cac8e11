"""Placeholder until the route is written."""

from fastapi import APIRouter

router = APIRouter()
