/// The API's OpenAPI 3.1 description, served at `/v1/openapi.json` (no token needed).
/// Kept here, in the binary, so the document served is always the one of this build.
enum OpenAPIDocument {
    static let path = "/v1/openapi.json"

    static let json = #"""
{
 "openapi": "3.1.0",
 "info": {
  "title": "Outbox HTTP API",
  "version": "1.0.0",
  "description": "Submit batches of mail to the outbox and follow what happens to them. Every endpoint but this document needs `Authorization: Bearer TOKEN` (`outbox api-token create`). A token limited to owners sees and submits only those owners' mail; other mail is answered as not found. Refused input is answered 400 with the location (`request line 3`, `request messages[2] (line 9)`) and field, as `outbox enqueue` names them; a body over `[http] max-body-bytes` is answered 413. While the outbox's database is locked beyond the wait or cannot be reached (a PostgreSQL server down), a request is answered 503 with `Retry-After` and nothing is written."
 },
 "servers": [
  {
   "url": "/"
  }
 ],
 "security": [
  {
   "bearerAuth": []
  }
 ],
 "paths": {
  "/v1/openapi.json": {
   "get": {
    "operationId": "getOpenAPIDocument",
    "summary": "This document",
    "security": [],
    "responses": {
     "200": {
      "description": "The OpenAPI document",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     }
    }
   }
  },
  "/u/{token}": {
   "parameters": [{"name": "token", "in": "path", "required": true, "description": "The token of a letter's List-Unsubscribe URL", "schema": {"type": "string"}}],
   "get": {
    "operationId": "unsubscribePage",
    "summary": "One-click unsubscribe: the confirmation page (changes nothing)",
    "security": [],
    "responses": {"200": {"description": "A page with an Unsubscribe button that makes the POST", "content": {"text/html": {"schema": {"type": "string"}}}}}
   },
   "post": {
    "operationId": "unsubscribeOneClick",
    "summary": "One-click unsubscribe (RFC 8058) of the letter's recipients from its owner's letters",
    "security": [],
    "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {"type": "object", "required": ["List-Unsubscribe"], "properties": {"List-Unsubscribe": {"type": "string", "const": "One-Click"}}}}}},
    "responses": {"200": {"description": "Unsubscribed (now or before)", "content": {"text/html": {"schema": {"type": "string"}}}}, "400": {"description": "The body is not List-Unsubscribe=One-Click", "content": {"text/html": {"schema": {"type": "string"}}}}, "404": {"description": "No letter carries this token", "content": {"text/html": {"schema": {"type": "string"}}}}, "413": {"description": "The body is over 1024 bytes", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}, "503": {"$ref": "#/components/responses/Unavailable"}}
   }
  },
  "/v1/batches": {
   "post": {
    "operationId": "enqueueBatch",
    "summary": "Enqueue a batch, whole or not at all",
    "description": "The batch document of `outbox enqueue`: one JSON document, or JSON Lines (an optional `{\"batch\": {…}}` first line, then one message per line; sent as application/x-ndjson or detected). With a batch key, sending the same batch again changes nothing and answers 200 with `duplicateBatch: true`.",
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/BatchDocument"
       }
      },
      "application/x-ndjson": {
       "schema": {
        "type": "string"
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "The batch was written",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/EnqueueResult"
        }
       }
      }
     },
     "200": {
      "description": "The batch key was known: nothing was written",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/EnqueueResult"
        }
       }
      }
     },
     "400": {
      "description": "The input was refused; nothing was written",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     },
     "403": {
      "description": "A message's owner is not one the token may submit for; nothing was written",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "The body is too large",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }

    }
   }
  },
  "/v1/batches/{key}": {
   "get": {
    "operationId": "getBatch",
    "summary": "A batch by its key, with its messages' states",
    "parameters": [
     {
      "name": "key",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The batch",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/BatchSummary"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     },
     "404": {
      "description": "No such batch (for this token)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/attachments": {
   "post": {
    "operationId": "uploadAttachment",
    "summary": "Store an attachment once; answers its contentRef",
    "description": "The body is the file's bytes. Give the returned contentRef in a batch's attachments. A content no message uses is removed by the next `outbox purge`.",
    "requestBody": {
     "required": true,
     "content": {
      "application/octet-stream": {
       "schema": {
        "type": "string",
        "format": "binary",
        "minLength": 1
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "Stored",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/StoredContent"
        }
       }
      }
     },
     "200": {
      "description": "The same bytes were stored already",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/StoredContent"
        }
       }
      }
     },
     "400": {
      "description": "Empty body",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     },
     "413": {
      "description": "The body is too large",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/messages": {
   "get": {
    "operationId": "findMessage",
    "summary": "The message with the application's own key",
    "parameters": [
     {
      "name": "key",
      "in": "query",
      "required": true,
      "schema": {
       "type": "string",
       "minLength": 1
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The message",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/MessageDetail"
        }
       }
      }
     },
     "400": {
      "description": "No key given",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     },
     "404": {
      "$ref": "#/components/responses/MessageNotFound"
     }
    }
   }
  },
  "/v1/messages/{id}": {
   "get": {
    "operationId": "getMessage",
    "summary": "One message: recipients, attachments, timeline",
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "format": "int64"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The message",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/MessageDetail"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     },
     "404": {
      "$ref": "#/components/responses/MessageNotFound"
     }
    }
   }
  },
  "/v1/messages/{id}/cancel": {
   "post": {
    "operationId": "cancelMessage",
    "summary": "Cancel a queued or deferred message",
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "format": "int64"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "Cancelled",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/OperationResult"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     },
     "404": {
      "$ref": "#/components/responses/MessageNotFound"
     },
     "409": {
      "description": "The message is sending or finished",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/messages/{id}/retry": {
   "post": {
    "operationId": "retryMessage",
    "summary": "Make a deferred or failed message due now",
    "description": "Its failed recipients are sent to again (those sent, bounced or suppressed are not). A message past its `expiresAt` is retried only with a later `expiresAt` or `noExpiry` in the body (409 `expired` otherwise): as it is, it would fail as expired again at once. Without a body the expiry stays as it is.",
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "format": "int64"
      }
     }
    ],
    "requestBody": {
     "required": false,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/RetryRequest"
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "Due now",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/OperationResult"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     },
     "404": {
      "$ref": "#/components/responses/MessageNotFound"
     },
     "400": {
      "description": "The body is not a retry request, or its expiresAt is not an RFC 3339 time ahead",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "The body is over 4096 bytes",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "The message is sending, sent or cancelled (code `invalidState`), or past its expiresAt and given no later one (code `expired`)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/events": {
   "get": {
    "operationId": "listEvents",
    "summary": "The event log, a page after a cursor",
    "parameters": [
     {
      "name": "after",
      "in": "query",
      "schema": {
       "type": "string",
       "pattern": "^[0-9]{1,18}$"
      },
      "description": "The `next` of the previous page (or an event id); default: from the start."
     },
     {
      "name": "limit",
      "in": "query",
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 1000,
       "default": 100
      }
     },
     {
      "name": "kind",
      "in": "query",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "Events, oldest first",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/EventPage"
        }
       }
      }
     },
     "400": {
      "description": "A malformed cursor or limit",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     }
    }
   }
  },
  "/v1/events/stream": {
   "get": {
    "operationId": "streamEvents",
    "summary": "The same events, live, as Server-Sent Events",
    "description": "Each event is sent as `id: CURSOR`, `event: KIND`, `data: JSON`. Reconnect with `Last-Event-ID` (or `?after=`) to resume with nothing missed; without either the stream starts with the next event. Comments are sent as heartbeats every 15 s.",
    "parameters": [
     {
      "name": "Last-Event-ID",
      "in": "header",
      "schema": {
       "type": "string",
       "pattern": "^[0-9]{1,18}$"
      }
     },
     {
      "name": "after",
      "in": "query",
      "schema": {
       "type": "string",
       "pattern": "^[0-9]{1,18}$"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "An event stream",
      "content": {
       "text/event-stream": {
        "schema": {
         "type": "object",
         "description": "One Server-Sent Event: `id` is the event's cursor, `event` its kind, `data` the event as JSON (an Event).",
         "properties": {
          "id": {"type": "string"},
          "event": {"type": "string"},
          "data": {"type": "string", "contentMediaType": "application/json"}
         }
        }
       }
      }
     },
     "400": {
      "description": "A malformed cursor",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     }
    }
   }
  },
  "/metrics": {
   "get": {
    "operationId": "metrics",
    "summary": "Prometheus metrics (a token without an owner limit)",
    "responses": {
     "200": {
      "description": "Prometheus text format",
      "content": {
       "text/plain": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     },
     "403": {
      "description": "The token is limited to owners",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  }
 },
 "components": {
  "responses": {
   "Unavailable": {
    "description": "The outbox is busy (`busy`: its database is locked beyond the wait) or its database cannot be reached (`databaseUnreachable`: a PostgreSQL server down or cut off); nothing was written. Try again after `Retry-After` seconds",
    "headers": {
     "Retry-After": {
      "description": "Seconds to wait before trying again",
      "schema": {
       "type": "integer"
      }
     }
    },
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "Unauthorized": {
    "description": "No valid token (missing, unknown or revoked: the same answer)",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "MessageNotFound": {
    "description": "No such message, or one of an owner this token may not see",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   }
  },
  "securitySchemes": {
   "bearerAuth": {
    "type": "http",
    "scheme": "bearer",
    "description": "A token from `outbox api-token create NAME`"
   }
  },
  "schemas": {
   "Error": {
    "type": "object",
    "required": [
     "error"
    ],
    "properties": {
     "error": {
      "type": "object",
      "required": [
       "code",
       "message"
      ],
      "properties": {
       "code": {
        "type": "string",
        "description": "Stable code: syntax, unknownField, missingField, invalidAddress, noMessages, unauthorized, tooLarge, notFound, …"
       },
       "message": {
        "type": "string"
       },
       "location": {
        "type": "string",
        "description": "Where in the input: `request line 3`, `request messages[2] (line 9)`"
       },
       "field": {
        "type": "string",
        "description": "The field: `to[1]`, `attachments[0].contentRef`"
       }
      }
     }
    }
   },
   "Recipient": {
    "oneOf": [
     {
      "type": "string",
      "description": "\"Name <a@example.com>\" or \"a@example.com\""
     },
     {
      "type": "object",
      "properties": {
       "address": {
        "type": "string"
       },
       "name": {
        "type": "string"
       }
      },
      "required": [
       "address"
      ],
      "additionalProperties": false
     }
    ]
   },
   "Attachment": {
    "type": "object",
    "description": "Exactly one of content (base64) or contentRef (from POST /v1/attachments). Paths on the server are refused through the API.",
    "properties": {
     "content": {
      "type": "string",
      "contentEncoding": "base64"
     },
     "contentRef": {
      "type": "string",
      "pattern": "^sha256:[0-9a-fA-F]{64}$"
     },
     "path": {
      "type": "string"
     },
     "filename": {
      "type": "string"
     },
     "contentType": {
      "type": "string"
     }
    },
    "additionalProperties": false
   },
   "MessageFieldProperties": {
    "type": "object",
    "properties": {
     "key": {
      "type": "string",
      "description": "The application's own key; a key already in the outbox is skipped (idempotency)."
     },
     "owner": {
      "type": "string"
     },
     "priority": {
      "type": "integer"
     },
     "subject": {
      "type": "string"
     },
     "text": {
      "type": "string"
     },
     "html": {
      "type": "string"
     },
     "headers": {
      "type": "object",
      "additionalProperties": {
       "type": "string"
      }
     },
     "to": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Recipient"
      }
     },
     "cc": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Recipient"
      }
     },
     "bcc": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Recipient"
      }
     },
     "attachments": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Attachment"
      }
     }
    }
   },
   "MessageFields": {
    "allOf": [
     {
      "$ref": "#/components/schemas/MessageFieldProperties"
     }
    ],
    "unevaluatedProperties": false
   },
   "BatchDocument": {
    "allOf": [
     {
      "$ref": "#/components/schemas/MessageFieldProperties"
     }
    ],
    "required": [
     "messages"
    ],
    "unevaluatedProperties": false,
    "description": "A batch key, defaults for every message, and the messages.",
    "properties": {
     "messages": {
      "type": "array",
      "minItems": 1,
      "items": {
       "$ref": "#/components/schemas/MessageFields"
      }
     }
    }
   },
   "EnqueueResult": {
    "type": "object",
    "required": [
     "batchID",
     "enqueued",
     "duplicates",
     "duplicateBatch",
     "newContents"
    ],
    "properties": {
     "batchID": {
      "type": "integer",
      "format": "int64"
     },
     "batchKey": {
      "type": "string"
     },
     "enqueued": {
      "type": "integer"
     },
     "duplicates": {
      "type": "integer",
      "description": "Messages skipped: their key was already in the outbox"
     },
     "duplicateBatch": {
      "type": "boolean"
     },
     "newContents": {
      "type": "integer"
     }
    }
   },
   "BatchSummary": {
    "type": "object",
    "required": [
     "id",
     "createdAt",
     "enqueued",
     "duplicates",
     "states"
    ],
    "properties": {
     "id": {
      "type": "integer",
      "format": "int64"
     },
     "key": {
      "type": "string"
     },
     "source": {
      "type": "string"
     },
     "createdAt": {
      "type": "integer",
      "format": "int64"
     },
     "enqueued": {
      "type": "integer"
     },
     "duplicates": {
      "type": "integer"
     },
     "states": {
      "type": "object",
      "additionalProperties": {
       "type": "integer"
      }
     }
    }
   },
   "StoredContent": {
    "type": "object",
    "required": [
     "contentRef",
     "sha256",
     "size",
     "created"
    ],
    "properties": {
     "contentRef": {
      "type": "string"
     },
     "sha256": {
      "type": "string"
     },
     "size": {
      "type": "integer"
     },
     "created": {
      "type": "boolean"
     }
    }
   },
   "OperationResult": {
    "type": "object",
    "required": [
     "changed",
     "skipped"
    ],
    "properties": {
     "changed": {
      "type": "integer"
     },
     "skipped": {
      "type": "integer"
     },
     "expired": {
      "type": "integer",
      "description": "Of the skipped, the messages past their expiresAt that a retry left alone"
     }
    }
   },
   "RetryRequest": {
    "type": "object",
    "additionalProperties": false,
    "properties": {
     "expiresAt": {
      "type": "string",
      "format": "date-time",
      "description": "A new expiry, RFC 3339 with an offset, still ahead"
     },
     "noExpiry": {
      "type": "boolean",
      "description": "true: no expiry any more (the message is sent however late)"
     }
    }
   },
   "Event": {
    "type": "object",
    "required": [
     "id",
     "at",
     "kind"
    ],
    "properties": {
     "id": {
      "type": "integer",
      "format": "int64"
     },
     "at": {
      "type": "integer",
      "format": "int64",
      "description": "Unix milliseconds"
     },
     "kind": {
      "type": "string"
     },
     "messageID": {
      "type": "integer",
      "format": "int64"
     },
     "batchID": {
      "type": "integer",
      "format": "int64"
     },
     "owner": {
      "type": "string"
     },
     "recipient": {
      "type": "string"
     },
     "code": {
      "type": "integer"
     },
     "enhancedCode": {
      "type": "string"
     },
     "detail": {
      "type": "string"
     },
     "reason": {
      "type": "string"
     },
     "severity": {
      "type": "string"
     }
    }
   },
   "EventPage": {
    "type": "object",
    "required": [
     "events",
     "next"
    ],
    "properties": {
     "events": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Event"
      }
     },
     "next": {
      "type": "string"
     }
    }
   },
   "MessageSummary": {
    "type": "object",
    "required": [
     "id",
     "batchID",
     "owner",
     "state",
     "subject"
    ],
    "properties": {
     "id": {
      "type": "integer",
      "format": "int64"
     },
     "batchID": {
      "type": "integer",
      "format": "int64"
     },
     "key": {
      "type": "string"
     },
     "owner": {
      "type": "string"
     },
     "state": {
      "type": "string"
     },
     "priority": {
      "type": "integer"
     },
     "subject": {
      "type": "string"
     },
     "firstRecipient": {
      "type": "string"
     },
     "recipientCount": {
      "type": "integer"
     },
     "attempts": {
      "type": "integer"
     },
     "nextAttemptAt": {
      "type": "integer",
      "format": "int64"
     },
     "createdAt": {
      "type": "integer",
      "format": "int64"
     },
     "updatedAt": {
      "type": "integer",
      "format": "int64"
     },
     "finishedAt": {
      "type": "integer",
      "format": "int64"
     },
     "lastCode": {
      "type": "integer"
     },
     "lastError": {
      "type": "string"
     }
    }
   },
   "MessageDetail": {
    "type": "object",
    "required": [
     "summary",
     "recipients",
     "attachments",
     "events"
    ],
    "properties": {
     "summary": {
      "$ref": "#/components/schemas/MessageSummary"
     },
     "token": {
      "type": "string"
     },
     "headers": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "name": {
         "type": "string"
        },
        "value": {
         "type": "string"
        }
       }
      }
     },
     "textBytes": {
      "type": "integer"
     },
     "htmlBytes": {
      "type": "integer"
     },
     "recipients": {
      "type": "array",
      "items": {
       "type": "object",
       "required": [
        "kind",
        "address",
        "state"
       ],
       "properties": {
        "kind": {
         "type": "string"
        },
        "address": {
         "type": "string"
        },
        "displayName": {
         "type": "string"
        },
        "state": {
         "type": "string"
        },
        "lastCode": {
         "type": "integer"
        },
        "lastReply": {
         "type": "string"
        },
        "bounceReason": {
         "type": "string"
        },
        "bounceSeverity": {
         "type": "string"
        }
       }
      }
     },
     "attachments": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "filename": {
         "type": "string"
        },
        "contentType": {
         "type": "string"
        },
        "sha256": {
         "type": "string"
        },
        "size": {
         "type": "integer"
        }
       }
      }
     },
     "events": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Event"
      }
     }
    }
   }
  }
 }
}
"""#
}
