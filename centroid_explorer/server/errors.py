"""Errors the storage layer raises for bad requests; the app turns them into {"message": ...} answers."""

from __future__ import annotations


class StoreError(Exception):
    status = 400

    def __init__(self, message: str, failed_documents: list[dict] | None = None):
        super().__init__(message)
        self.message = message
        self.failed_documents = failed_documents


class BadRequest(StoreError):
    """The request is well-formed JSON but asks for something invalid (400)."""

    status = 400


class NotFound(StoreError):
    """An unknown dataset, vector field, alias or cluster id (404); the message names it."""

    status = 404


class Conflict(StoreError):
    """Well-formed, but at odds with what is stored or with the rest of the request (409)."""

    status = 409


class PreconditionFailed(StoreError):
    """A conditional write whose expected version is not the stored one (412); nothing was written."""

    status = 412

    def __init__(self, message: str, current_version: int):
        super().__init__(message)
        self.current_version = current_version
