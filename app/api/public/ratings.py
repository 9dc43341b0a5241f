"""/api/v1/public/ratings … : 好差评 for the applicant (no login): the levels and tags, whether a case may be
rated or was, and the rating itself (once per case, after delivery)."""

from __future__ import annotations

from flask import Response, request
from flask_appbuilder.api import expose, safe
from flask_babel import gettext as _

from app.api.public import PublicApi
from app.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.services.ratings.rating import public_rating, rate_case, rating_options, rating_state


class PublicRatingApi(PublicApi):
    @expose("/ratings/options", methods=["GET"])
    @safe
    def options(self) -> Response:
        """The rating levels and tags
        ---
        get:
          summary: The rating levels (5 非常满意 … 1 非常不满意) and the tags an applicant may choose
          responses:
            200:
              description: The levels, best first, and the tags (praise or complaint)
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      result:
                        type: object
                        properties:
                          levels:
                            type: array
                            items:
                              type: object
                              properties:
                                value: {type: integer, minimum: 1, maximum: 5}
                                label: {type: string}
                          tags:
                            type: array
                            items:
                              type: object
                              properties:
                                code: {type: string}
                                label: {type: string}
                                kind: {type: string, enum: [praise, complaint]}
            429:
              description: Too many requests from this address (wait for Retry-After seconds)
        """
        return self.response(200, result=rating_options())

    @expose("/ratings/<string:token>", methods=["GET"])
    @safe
    def state(self, token: str) -> Response:
        """Whether the case of a token may be rated, and its rating
        ---
        get:
          summary: Whether the case of this token may be rated (open once its result is delivered) and its rating
          parameters:
          - in: path
            name: token
            required: true
            schema: {type: string}
            description: the token of the case (the QR code on its acceptance notice, the SMS link)
          responses:
            200:
              description: "open: the result was delivered; given: the applicant has rated it"
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      result:
                        type: object
                        properties:
                          open: {type: boolean}
                          given: {type: boolean}
                          rating:
                            nullable: true
                            type: object
                            properties:
                              level: {type: integer}
                              label: {type: string}
                              tags: {type: array, items: {type: string}}
                              comment: {type: string}
                              at: {type: string, format: date-time}
            404:
              description: No case has this token
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      message: {type: string}
            429:
              description: Too many requests from this address (wait for Retry-After seconds)
        """
        try:
            return self.response(200, result=rating_state(db.session, token))
        except NotFound as error:
            return self.response(404, message=str(error.problems[0].message) if error.problems else _("Not found"))

    @expose("/ratings", methods=["POST"])
    @safe
    def rate(self) -> Response:
        """Rate a delivered case (once)
        ---
        post:
          summary: Rate the case of a token, once, after its result is delivered
          description: A rating of 2 (不满意) or 1 (非常不满意) opens a rectification (整改) by the accepting window's county.
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [token, level]
                  properties:
                    token: {type: string, maxLength: 64}
                    level: {type: integer, minimum: 1, maximum: 5}
                    tags: {type: array, items: {type: string}}
                    comment: {type: string, maxLength: 500}
          responses:
            201:
              description: The rating as recorded
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      result:
                        type: object
                        properties:
                          level: {type: integer}
                          label: {type: string}
                          tags: {type: array, items: {type: string}}
                          comment: {type: string}
                          at: {type: string, format: date-time}
            404:
              description: No case has this token
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      message: {type: string}
            409:
              description: The case has been rated already
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      message: {type: string}
            422:
              description: Every problem at once (not delivered yet, a bad level, an unknown tag, a comment too long)
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      errors:
                        type: array
                        items:
                          type: object
                          properties:
                            field: {type: string, nullable: true}
                            message: {type: string}
            429:
              description: Too many requests from this address (wait for Retry-After seconds)
        """
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return self.response(422, errors=[{"field": None, "message": _("Send the rating as a JSON object.")}])
        try:
            rating = rate_case(db.session, body.get("token"), body.get("level"), body.get("tags") or [],
                               body.get("comment", ""))
        except NotFound as error:
            return self.response(404, message=str(error.problems[0].message))
        except Conflict as error:
            return self.response(409, message=str(error.problems[0].message))
        except ValidationFailed as error:
            return self.response(422, **error.as_dict())
        return self.response(201, result=public_rating(rating))
