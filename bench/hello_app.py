"""The yardstick: a FastAPI hello-world POST endpoint, served exactly like clinkg for comparison."""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import BaseModel


class Hello(BaseModel):
    present: list[str]


app = FastAPI()


@app.post("/hello")
async def hello(body: Hello) -> dict[str, str]:
    return {"hello": "world", "first": body.present[0]}
