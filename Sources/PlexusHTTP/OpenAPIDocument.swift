import Hummingbird
import NIOCore

/// The OpenAPI 3.0 document of every HTTP route, served at `GET /api/v1/openapi.json`. Keep it in step with
/// `HTTPFrontEnd.router()`, `AdminRoutes` and `EventRoutes`: `OpenAPIDocumentTests` checks its paths against
/// the routes, `Tests/Interop/test_openapi.py` validates it and fuzzes a live node against it.
enum OpenAPIDocument {
    /// The document as `application/json`.
    static func response() -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: json))
        )
    }

    static let json = #"""
        {
          "openapi": "3.0.3",
          "info": {
            "title": "Plexus HTTP API",
            "version": "1",
            "description": "CloudEvents in and out of topics, the admin REST API and health checks (docs/HTTP.md). Every error is application/problem+json (RFC 9457)."
          },
          "tags": [
            {
              "name": "health"
            },
            {
              "name": "admin"
            },
            {
              "name": "events"
            }
          ],
          "paths": {
            "/healthz": {
              "get": {
                "operationId": "health",
                "tags": [
                  "health"
                ],
                "summary": "200 while the process runs.",
                "responses": {
                  "200": {
                    "description": "ok",
                    "content": {
                      "text/plain": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/readyz": {
              "get": {
                "operationId": "readiness",
                "tags": [
                  "health"
                ],
                "summary": "200 once the node serves (storage open, every listener bound).",
                "responses": {
                  "200": {
                    "description": "ready",
                    "content": {
                      "text/plain": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/metrics": {
              "get": {
                "operationId": "metrics",
                "tags": [
                  "health"
                ],
                "summary": "Prometheus text exposition (docs/HTTP.md lists the metrics); 404 when the node has no metrics registry.",
                "responses": {
                  "200": {
                    "description": "The metrics.",
                    "content": {
                      "text/plain": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  }
                }
              }
            },
            "/api/v1/openapi.json": {
              "get": {
                "operationId": "openAPIDocument",
                "tags": [
                  "admin"
                ],
                "summary": "This document.",
                "responses": {
                  "200": {
                    "description": "The OpenAPI document.",
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
            "/api/v1/node": {
              "get": {
                "operationId": "getNode",
                "tags": [
                  "admin"
                ],
                "summary": "Node id, cluster id, data directory, flush policy, topic and group counts.",
                "responses": {
                  "200": {
                    "description": "The node.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/NodeInfo"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/api/v1/cluster": {
              "get": {
                "operationId": "getCluster",
                "tags": [
                  "admin"
                ],
                "summary": "The cluster: its id, its controller and its nodes with their listeners.",
                "responses": {
                  "200": {
                    "description": "The cluster.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/ClusterInfo"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/api/v1/topics": {
              "get": {
                "operationId": "listTopics",
                "tags": [
                  "admin"
                ],
                "summary": "Every topic, by name.",
                "responses": {
                  "200": {
                    "description": "The topics.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "array",
                          "items": {
                            "$ref": "#/components/schemas/TopicSummary"
                          }
                        }
                      }
                    }
                  }
                }
              },
              "post": {
                "operationId": "createTopic",
                "tags": [
                  "admin"
                ],
                "summary": "Creates a topic.",
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/CreateTopic"
                      },
                      "example": {
                        "name": "orders",
                        "partitions": 3,
                        "config": {
                          "retention.ms": "604800000"
                        }
                      }
                    }
                  }
                },
                "responses": {
                  "201": {
                    "description": "Created; the topic's description.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/TopicDetail"
                        }
                      }
                    },
                    "headers": {
                      "Location": {
                        "description": "/api/v1/topics/{name}",
                        "schema": {
                          "type": "string"
                        }
                      }
                    },
                    "links": {
                      "DescribeTopic": {
                        "operationId": "describeTopic",
                        "parameters": {
                          "topic": "$response.body#/name"
                        }
                      },
                      "UpdateTopicConfig": {
                        "operationId": "updateTopicConfig",
                        "parameters": {
                          "topic": "$response.body#/name"
                        }
                      },
                      "DeleteTopic": {
                        "operationId": "deleteTopic",
                        "parameters": {
                          "topic": "$response.body#/name"
                        }
                      },
                      "PublishEvents": {
                        "operationId": "publishEvents",
                        "parameters": {
                          "topic": "$response.body#/name"
                        }
                      },
                      "ReadEvents": {
                        "operationId": "readEvents",
                        "parameters": {
                          "topic": "$response.body#/name"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "409": {
                    "$ref": "#/components/responses/Conflict"
                  },
                  "413": {
                    "$ref": "#/components/responses/ContentTooLarge"
                  },
                  "503": {
                    "$ref": "#/components/responses/Unavailable"
                  }
                }
              }
            },
            "/api/v1/topics/{topic}": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/Topic"
                }
              ],
              "get": {
                "operationId": "describeTopic",
                "tags": [
                  "admin"
                ],
                "summary": "Partitions with their offsets and size; effective configs and overrides.",
                "responses": {
                  "200": {
                    "description": "The topic.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/TopicDetail"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  }
                }
              },
              "patch": {
                "operationId": "updateTopicConfig",
                "tags": [
                  "admin"
                ],
                "summary": "Sets configs, or resets them to the default with null.",
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/ConfigUpdate"
                      },
                      "example": {
                        "config": {
                          "retention.ms": null,
                          "segment.bytes": "1048576"
                        }
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "The topic after the update.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/TopicDetail"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  },
                  "413": {
                    "$ref": "#/components/responses/ContentTooLarge"
                  },
                  "503": {
                    "$ref": "#/components/responses/Unavailable"
                  }
                }
              },
              "delete": {
                "operationId": "deleteTopic",
                "tags": [
                  "admin"
                ],
                "summary": "Deletes the topic and its data.",
                "responses": {
                  "204": {
                    "description": "Deleted."
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  },
                  "503": {
                    "$ref": "#/components/responses/Unavailable"
                  }
                }
              }
            },
            "/api/v1/groups": {
              "get": {
                "operationId": "listGroups",
                "tags": [
                  "admin"
                ],
                "summary": "Consumer groups (known to the coordinator or with committed offsets), sorted, with total lag.",
                "responses": {
                  "200": {
                    "description": "The groups.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "array",
                          "items": {
                            "$ref": "#/components/schemas/GroupSummary"
                          }
                        }
                      }
                    }
                  }
                }
              }
            },
            "/api/v1/groups/{group}": {
              "get": {
                "operationId": "describeGroup",
                "tags": [
                  "admin"
                ],
                "summary": "State, protocol, generation, leader, members and per committed partition offsets and lag.",
                "parameters": [
                  {
                    "name": "group",
                    "in": "path",
                    "required": true,
                    "schema": {
                      "type": "string"
                    },
                    "example": "billing"
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The group.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/GroupDetail"
                        }
                      }
                    }
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  }
                }
              }
            },
            "/topics/{topic}/events": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/Topic"
                }
              ],
              "post": {
                "operationId": "publishEvents",
                "tags": [
                  "events"
                ],
                "summary": "Publishes CloudEvents: one in binary or structured mode, or a batch.",
                "description": "The mode follows Content-Type (CloudEvents HTTP binding): application/cloudevents-batch+json is a batch, application/cloudevents+json one structured event, any other type binary mode, where the ce-* headers are the attributes (ce-id, ce-source, ce-type and ce-specversion required), Content-Type is datacontenttype and the body is the data. Header values are percent-decoded. Every event is validated before anything is stored; one invalid event refuses the request with 400. The topic is created on first use when auto-creation is on. The answer is sent once the events are durable under the flush policy.",
                "parameters": [
                  {
                    "name": "ce-specversion",
                    "in": "header",
                    "required": false,
                    "description": "Binary mode: the spec version, 1.0.",
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "name": "ce-id",
                    "in": "header",
                    "required": false,
                    "description": "Binary mode: the event id.",
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "name": "ce-source",
                    "in": "header",
                    "required": false,
                    "description": "Binary mode: the event source (a URI-reference).",
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "name": "ce-type",
                    "in": "header",
                    "required": false,
                    "description": "Binary mode: the event type.",
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "name": "ce-subject",
                    "in": "header",
                    "required": false,
                    "description": "Binary mode: the subject.",
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "name": "ce-time",
                    "in": "header",
                    "required": false,
                    "description": "Binary mode: the time (RFC 3339).",
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "name": "ce-dataschema",
                    "in": "header",
                    "required": false,
                    "description": "Binary mode: the data's schema (an absolute URI).",
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "name": "ce-partitionkey",
                    "in": "header",
                    "required": false,
                    "description": "Binary mode: the record key; picks the partition (murmur2).",
                    "schema": {
                      "type": "string"
                    }
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/cloudevents+json": {
                      "schema": {
                        "$ref": "#/components/schemas/CloudEvent"
                      },
                      "example": {
                        "specversion": "1.0",
                        "id": "e-1",
                        "source": "/shop",
                        "type": "order.created",
                        "data": {
                          "total": 12
                        }
                      }
                    },
                    "application/cloudevents-batch+json": {
                      "schema": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                          "$ref": "#/components/schemas/CloudEvent"
                        }
                      },
                      "example": [
                        {
                          "specversion": "1.0",
                          "id": "e-2",
                          "source": "/shop",
                          "type": "order.paid"
                        }
                      ]
                    },
                    "*/*": {
                      "schema": {
                        "type": "string",
                        "format": "binary"
                      }
                    }
                  },
                  "description": "Structured mode: one event; batch mode: a non-empty array of events; binary mode (any other Content-Type): the event's data, Content-Type its datacontenttype."
                },
                "responses": {
                  "202": {
                    "description": "Stored durably: where (for a batch, a list in request order).",
                    "content": {
                      "application/json": {
                        "schema": {
                          "oneOf": [
                            {
                              "$ref": "#/components/schemas/Placement"
                            },
                            {
                              "type": "array",
                              "items": {
                                "$ref": "#/components/schemas/Placement"
                              }
                            }
                          ]
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "404": {
                    "description": "The topic does not exist and auto-creation is off.",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        }
                      }
                    }
                  },
                  "413": {
                    "$ref": "#/components/responses/ContentTooLarge"
                  },
                  "503": {
                    "$ref": "#/components/responses/Unavailable"
                  }
                }
              },
              "get": {
                "operationId": "readEvents",
                "tags": [
                  "events"
                ],
                "summary": "Reads a partition's events as structured CloudEvents; a long poll with timeout_ms.",
                "parameters": [
                  {
                    "name": "partition",
                    "in": "query",
                    "schema": {
                      "type": "integer",
                      "format": "int32",
                      "minimum": 0,
                      "maximum": 2147483647,
                      "default": 0
                    }
                  },
                  {
                    "name": "offset",
                    "in": "query",
                    "description": "The first offset; default the log start.",
                    "schema": {
                      "type": "integer",
                      "format": "int64",
                      "minimum": 0
                    }
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
                    "name": "timeout_ms",
                    "in": "query",
                    "description": "How long an empty answer waits for data (a long poll woken by appends).",
                    "schema": {
                      "type": "integer",
                      "minimum": 0,
                      "maximum": 30000,
                      "default": 0
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The events from offset on, at most limit.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "array",
                          "items": {
                            "$ref": "#/components/schemas/StoredEvent"
                          }
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  },
                  "416": {
                    "$ref": "#/components/responses/RangeNotSatisfiable"
                  },
                  "503": {
                    "$ref": "#/components/responses/Unavailable"
                  }
                }
              }
            },
            "/topics/{topic}/ws": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/Topic"
                }
              ],
              "get": {
                "operationId": "streamPartitionOverWebSocket",
                "tags": [
                  "events"
                ],
                "summary": "A partition's events over a WebSocket, from an offset, live as appended.",
                "description": "An HTTP/1.1 WebSocket upgrade (RFC 6455). Each text message is a structured CloudEvent with partition and offset members (as StoredEvent). The stream ends when the client closes or on graceful shutdown. A request that cannot be served (no such topic or partition, an offset outside the log, not an upgrade) is not upgraded: it gets 404.",
                "parameters": [
                  {
                    "name": "partition",
                    "in": "query",
                    "schema": {
                      "type": "integer",
                      "format": "int32",
                      "minimum": 0,
                      "default": 0
                    }
                  },
                  {
                    "name": "offset",
                    "in": "query",
                    "description": "The first offset, from the log start to the end; default the end.",
                    "schema": {
                      "type": "integer",
                      "format": "int64",
                      "minimum": 0
                    }
                  },
                  {
                    "name": "from",
                    "in": "query",
                    "description": "Without offset: earliest starts at the log start.",
                    "schema": {
                      "type": "string",
                      "enum": [
                        "earliest",
                        "latest"
                      ]
                    }
                  },
                  {
                    "name": "Upgrade",
                    "in": "header",
                    "required": true,
                    "schema": {
                      "type": "string",
                      "enum": [
                        "websocket"
                      ]
                    }
                  },
                  {
                    "name": "Connection",
                    "in": "header",
                    "required": true,
                    "schema": {
                      "type": "string",
                      "enum": [
                        "Upgrade"
                      ]
                    }
                  },
                  {
                    "name": "Sec-WebSocket-Key",
                    "in": "header",
                    "required": true,
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "name": "Sec-WebSocket-Version",
                    "in": "header",
                    "required": true,
                    "schema": {
                      "type": "string",
                      "enum": [
                        "13"
                      ]
                    }
                  }
                ],
                "responses": {
                  "101": {
                    "description": "Switched to the WebSocket protocol; messages are StoredEvent JSON texts."
                  },
                  "404": {
                    "description": "Not upgraded: the topic, partition or offset cannot be served, or not an upgrade request.",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/topics/{topic}/stream": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/Topic"
                }
              ],
              "get": {
                "operationId": "streamEvents",
                "tags": [
                  "events"
                ],
                "summary": "Every partition's events as Server-Sent Events, resumable.",
                "description": "Each event is `event: cloudevent` with `data:` the structured event (with partition and offset, as StoredEvent) and `id:` the stream position, `P:NEXT` per partition, comma-separated. A comment is sent every 15 s when idle. The stream ends when the client goes or on graceful shutdown.",
                "parameters": [
                  {
                    "name": "from",
                    "in": "query",
                    "description": "earliest starts at each partition's log start; anything else (or none) at the end.",
                    "schema": {
                      "type": "string",
                      "enum": [
                        "earliest",
                        "latest"
                      ]
                    }
                  },
                  {
                    "name": "Last-Event-ID",
                    "in": "header",
                    "description": "Resumes after this position (an event's id).",
                    "schema": {
                      "type": "string",
                      "pattern": "^[0-9]+:[0-9]+(,[0-9]+:[0-9]+)*$",
                      "example": "0:42,1:7"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The event stream (never ends on its own).",
                    "content": {
                      "text/event-stream": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  }
                }
              }
            }
          },
          "components": {
            "schemas": {
              "Problem": {
                "type": "object",
                "description": "An RFC 9457 problem: type is urn:plexus:problem:<code> with the broker's error code (http for the HTTP layer's own errors), status its HTTP status.",
                "required": [
                  "type",
                  "title",
                  "status",
                  "detail"
                ],
                "properties": {
                  "type": {
                    "type": "string",
                    "pattern": "^urn:plexus:problem:[a-z0-9-]+$",
                    "example": "urn:plexus:problem:unknown-topic-or-partition"
                  },
                  "title": {
                    "type": "string",
                    "example": "Not Found"
                  },
                  "status": {
                    "type": "integer",
                    "minimum": 400,
                    "maximum": 599,
                    "example": 404
                  },
                  "detail": {
                    "type": "string",
                    "example": "topic 'orders' does not exist"
                  }
                },
                "additionalProperties": false
              },
              "NodeInfo": {
                "type": "object",
                "required": [
                  "nodeId",
                  "clusterId",
                  "dataDirectory",
                  "flush",
                  "topics",
                  "groups"
                ],
                "properties": {
                  "nodeId": {
                    "type": "integer",
                    "format": "int32"
                  },
                  "clusterId": {
                    "type": "string"
                  },
                  "dataDirectory": {
                    "type": "string"
                  },
                  "flush": {
                    "type": "string",
                    "description": "The flush policy."
                  },
                  "topics": {
                    "type": "integer",
                    "minimum": 0
                  },
                  "groups": {
                    "type": "integer",
                    "minimum": 0
                  }
                },
                "additionalProperties": false
              },
              "ClusterInfo": {
                "type": "object",
                "required": [
                  "clusterId",
                  "controllerId",
                  "nodes"
                ],
                "properties": {
                  "clusterId": {
                    "type": "string"
                  },
                  "controllerId": {
                    "type": "integer",
                    "format": "int32"
                  },
                  "nodes": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": [
                        "nodeId",
                        "listeners"
                      ],
                      "properties": {
                        "nodeId": {
                          "type": "integer",
                          "format": "int32"
                        },
                        "listeners": {
                          "type": "object",
                          "additionalProperties": {
                            "type": "string"
                          },
                          "description": "Protocol name to HOST:PORT."
                        }
                      },
                      "additionalProperties": false
                    }
                  }
                },
                "additionalProperties": false
              },
              "TopicSummary": {
                "type": "object",
                "required": [
                  "name",
                  "id",
                  "partitions"
                ],
                "properties": {
                  "name": {
                    "$ref": "#/components/schemas/TopicName"
                  },
                  "id": {
                    "type": "string",
                    "description": "The topic id (a UUID)."
                  },
                  "partitions": {
                    "type": "integer",
                    "format": "int32",
                    "minimum": 1
                  }
                },
                "additionalProperties": false
              },
              "TopicName": {
                "type": "string",
                "description": "1 to 249 ASCII letters, digits, '.', '_' and '-'; not '.' or '..'.",
                "pattern": "^[A-Za-z0-9._-]{1,249}$",
                "example": "orders"
              },
              "PartitionInfo": {
                "type": "object",
                "required": [
                  "partition",
                  "logStartOffset",
                  "highWatermark",
                  "sizeBytes"
                ],
                "properties": {
                  "partition": {
                    "type": "integer",
                    "format": "int32",
                    "minimum": 0
                  },
                  "logStartOffset": {
                    "type": "integer",
                    "format": "int64",
                    "minimum": 0
                  },
                  "highWatermark": {
                    "type": "integer",
                    "format": "int64",
                    "minimum": 0
                  },
                  "sizeBytes": {
                    "type": "integer",
                    "format": "int64",
                    "minimum": 0
                  }
                },
                "additionalProperties": false
              },
              "TopicConfig": {
                "type": "object",
                "description": "Topic configs (Kafka names), values as strings; an unknown name or a bad value is 400.",
                "properties": {
                  "segment.bytes": {
                    "type": "string",
                    "description": "Segment size, an integer in 14...2147483647."
                  },
                  "segment.ms": {
                    "type": "string",
                    "description": "Segment roll time in ms, an integer ≥ 1."
                  },
                  "retention.ms": {
                    "type": "string",
                    "description": "Retention by age in ms, an integer ≥ -1 (-1: unlimited)."
                  },
                  "retention.bytes": {
                    "type": "string",
                    "description": "Retention by size per partition, an integer ≥ -1 (-1: unlimited)."
                  },
                  "max.message.bytes": {
                    "type": "string",
                    "description": "Largest record batch, an integer in 0...2147483647."
                  },
                  "cleanup.policy": {
                    "type": "string",
                    "description": "delete, compact, or both comma-separated."
                  },
                  "index.interval.bytes": {
                    "type": "string",
                    "description": "Bytes between sparse index entries, an integer in 0...2147483647."
                  },
                  "message.timestamp.type": {
                    "type": "string",
                    "description": "CreateTime or LogAppendTime."
                  }
                },
                "additionalProperties": false
              },
              "EffectiveTopicConfig": {
                "allOf": [
                  {
                    "$ref": "#/components/schemas/TopicConfig"
                  }
                ],
                "required": [
                  "segment.bytes",
                  "segment.ms",
                  "retention.ms",
                  "retention.bytes",
                  "max.message.bytes",
                  "cleanup.policy",
                  "index.interval.bytes",
                  "message.timestamp.type"
                ]
              },
              "TopicDetail": {
                "type": "object",
                "required": [
                  "name",
                  "id",
                  "partitions",
                  "config",
                  "overrides"
                ],
                "properties": {
                  "name": {
                    "$ref": "#/components/schemas/TopicName"
                  },
                  "id": {
                    "type": "string"
                  },
                  "partitions": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/PartitionInfo"
                    }
                  },
                  "config": {
                    "allOf": [
                      {
                        "$ref": "#/components/schemas/EffectiveTopicConfig"
                      }
                    ],
                    "description": "Every config as in effect."
                  },
                  "overrides": {
                    "allOf": [
                      {
                        "$ref": "#/components/schemas/TopicConfig"
                      }
                    ],
                    "description": "The topic's own configs."
                  }
                },
                "additionalProperties": false
              },
              "CreateTopic": {
                "type": "object",
                "required": [
                  "name"
                ],
                "properties": {
                  "name": {
                    "$ref": "#/components/schemas/TopicName"
                  },
                  "partitions": {
                    "type": "integer",
                    "format": "int32",
                    "minimum": 1,
                    "maximum": 1024,
                    "nullable": true,
                    "description": "Default: the node's default-partitions."
                  },
                  "config": {
                    "allOf": [
                      {
                        "$ref": "#/components/schemas/TopicConfig"
                      }
                    ],
                    "nullable": true,
                    "description": "Config overrides."
                  }
                }
              },
              "ConfigUpdate": {
                "type": "object",
                "required": [
                  "config"
                ],
                "properties": {
                  "config": {
                    "type": "object",
                    "description": "Configs to set (a string) or reset to the default (null).",
                    "properties": {
                      "segment.bytes": {
                        "type": "string",
                        "nullable": true,
                        "description": "Segment size, an integer in 14...2147483647."
                      },
                      "segment.ms": {
                        "type": "string",
                        "nullable": true,
                        "description": "Segment roll time in ms, an integer ≥ 1."
                      },
                      "retention.ms": {
                        "type": "string",
                        "nullable": true,
                        "description": "Retention by age in ms, an integer ≥ -1 (-1: unlimited)."
                      },
                      "retention.bytes": {
                        "type": "string",
                        "nullable": true,
                        "description": "Retention by size per partition, an integer ≥ -1 (-1: unlimited)."
                      },
                      "max.message.bytes": {
                        "type": "string",
                        "nullable": true,
                        "description": "Largest record batch, an integer in 0...2147483647."
                      },
                      "cleanup.policy": {
                        "type": "string",
                        "nullable": true,
                        "description": "delete, compact, or both comma-separated."
                      },
                      "index.interval.bytes": {
                        "type": "string",
                        "nullable": true,
                        "description": "Bytes between sparse index entries, an integer in 0...2147483647."
                      },
                      "message.timestamp.type": {
                        "type": "string",
                        "nullable": true,
                        "description": "CreateTime or LogAppendTime."
                      }
                    },
                    "additionalProperties": false
                  }
                }
              },
              "GroupSummary": {
                "type": "object",
                "required": [
                  "groupId",
                  "state",
                  "protocolType",
                  "members",
                  "lag"
                ],
                "properties": {
                  "groupId": {
                    "type": "string"
                  },
                  "state": {
                    "$ref": "#/components/schemas/GroupState"
                  },
                  "protocolType": {
                    "type": "string",
                    "description": "consumer for Kafka consumers; empty when unknown."
                  },
                  "members": {
                    "type": "integer",
                    "minimum": 0
                  },
                  "lag": {
                    "type": "integer",
                    "format": "int64",
                    "minimum": 0,
                    "description": "Total lag over its committed partitions."
                  }
                },
                "additionalProperties": false
              },
              "GroupState": {
                "type": "string",
                "enum": [
                  "Empty",
                  "PreparingRebalance",
                  "CompletingRebalance",
                  "Stable",
                  "Dead"
                ]
              },
              "GroupMember": {
                "type": "object",
                "required": [
                  "memberId",
                  "clientId",
                  "clientHost"
                ],
                "properties": {
                  "memberId": {
                    "type": "string"
                  },
                  "groupInstanceId": {
                    "type": "string",
                    "description": "Absent for dynamic members."
                  },
                  "clientId": {
                    "type": "string"
                  },
                  "clientHost": {
                    "type": "string"
                  }
                },
                "additionalProperties": false
              },
              "GroupPartition": {
                "type": "object",
                "required": [
                  "topic",
                  "partition",
                  "committedOffset",
                  "endOffset",
                  "lag"
                ],
                "properties": {
                  "topic": {
                    "$ref": "#/components/schemas/TopicName"
                  },
                  "partition": {
                    "type": "integer",
                    "format": "int32",
                    "minimum": 0
                  },
                  "committedOffset": {
                    "type": "integer",
                    "format": "int64",
                    "minimum": 0
                  },
                  "endOffset": {
                    "type": "integer",
                    "format": "int64",
                    "minimum": -1,
                    "description": "-1 when the partition no longer exists."
                  },
                  "lag": {
                    "type": "integer",
                    "format": "int64",
                    "minimum": -1,
                    "description": "-1 when the partition no longer exists."
                  }
                },
                "additionalProperties": false
              },
              "GroupDetail": {
                "type": "object",
                "required": [
                  "groupId",
                  "state",
                  "protocolType",
                  "protocolName",
                  "generation",
                  "members",
                  "partitions"
                ],
                "properties": {
                  "groupId": {
                    "type": "string"
                  },
                  "state": {
                    "$ref": "#/components/schemas/GroupState"
                  },
                  "protocolType": {
                    "type": "string"
                  },
                  "protocolName": {
                    "type": "string"
                  },
                  "generation": {
                    "type": "integer",
                    "format": "int32",
                    "minimum": -1
                  },
                  "leader": {
                    "type": "string",
                    "description": "The leader's member id; absent without one."
                  },
                  "members": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/GroupMember"
                    }
                  },
                  "partitions": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/GroupPartition"
                    }
                  }
                },
                "additionalProperties": false
              },
              "CloudEvent": {
                "type": "object",
                "description": "A CloudEvent in the JSON event format (CloudEvents 1.0). Members other than the core attributes, data and data_base64 are extensions: lower-case a-z and 0-9 names with a string, an integer in int32 or a boolean value (partition and offset are reserved). Null members are unset. Every rule is in docs/CLOUDEVENTS.md; an event breaking one is 400.",
                "required": [
                  "specversion",
                  "id",
                  "source",
                  "type"
                ],
                "properties": {
                  "specversion": {
                    "type": "string",
                    "enum": [
                      "1.0"
                    ]
                  },
                  "id": {
                    "type": "string",
                    "minLength": 1
                  },
                  "source": {
                    "type": "string",
                    "minLength": 1,
                    "description": "An RFC 3986 URI-reference."
                  },
                  "type": {
                    "type": "string",
                    "minLength": 1
                  },
                  "datacontenttype": {
                    "type": "string",
                    "nullable": true,
                    "description": "An RFC 2046 media type; JSON data implies application/json."
                  },
                  "dataschema": {
                    "type": "string",
                    "minLength": 1,
                    "nullable": true,
                    "description": "An absolute URI."
                  },
                  "subject": {
                    "type": "string",
                    "minLength": 1,
                    "nullable": true
                  },
                  "time": {
                    "type": "string",
                    "format": "date-time",
                    "nullable": true
                  },
                  "partitionkey": {
                    "type": "string",
                    "nullable": true,
                    "description": "The Partitioning extension: becomes the record key and picks the partition (murmur2, as Kafka's default partitioner)."
                  },
                  "data": {
                    "description": "The data: any JSON value for a JSON datacontenttype (or none), else a string."
                  },
                  "data_base64": {
                    "type": "string",
                    "format": "byte",
                    "nullable": true
                  }
                },
                "additionalProperties": {
                  "nullable": true,
                  "oneOf": [
                    {
                      "type": "string"
                    },
                    {
                      "type": "integer",
                      "format": "int32"
                    },
                    {
                      "type": "boolean"
                    }
                  ]
                }
              },
              "StoredEvent": {
                "type": "object",
                "description": "A stored record as a structured CloudEvent (JSON event format) with two more members, partition and offset, telling where it is stored. Records produced over Kafka without ce_ headers read through the CloudEvents view of a record (docs/CLOUDEVENTS.md).",
                "required": [
                  "partition",
                  "offset",
                  "specversion",
                  "id",
                  "source",
                  "type"
                ],
                "properties": {
                  "partition": {
                    "type": "integer",
                    "format": "int32",
                    "minimum": 0
                  },
                  "offset": {
                    "type": "integer",
                    "format": "int64",
                    "minimum": 0
                  },
                  "specversion": {
                    "type": "string",
                    "enum": [
                      "1.0"
                    ]
                  },
                  "id": {
                    "type": "string"
                  },
                  "source": {
                    "type": "string"
                  },
                  "type": {
                    "type": "string"
                  },
                  "datacontenttype": {
                    "type": "string"
                  },
                  "dataschema": {
                    "type": "string"
                  },
                  "subject": {
                    "type": "string"
                  },
                  "time": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "partitionkey": {
                    "type": "string"
                  },
                  "partitionkeyb64": {
                    "type": "string",
                    "format": "byte"
                  },
                  "data": {
                    "description": "JSON data as is, or text data as a string."
                  },
                  "data_base64": {
                    "type": "string",
                    "format": "byte"
                  }
                },
                "additionalProperties": {
                  "oneOf": [
                    {
                      "type": "string"
                    },
                    {
                      "type": "integer",
                      "format": "int32"
                    },
                    {
                      "type": "boolean"
                    }
                  ]
                }
              },
              "Placement": {
                "type": "object",
                "required": [
                  "partition",
                  "offset"
                ],
                "properties": {
                  "partition": {
                    "type": "integer",
                    "format": "int32",
                    "minimum": 0
                  },
                  "offset": {
                    "type": "integer",
                    "format": "int64",
                    "minimum": 0
                  }
                },
                "additionalProperties": false
              }
            },
            "responses": {
              "BadRequest": {
                "description": "The request is invalid (malformed JSON, invalid topic name, bad query parameter, invalid CloudEvent…).",
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "$ref": "#/components/schemas/Problem"
                    }
                  }
                }
              },
              "NotFound": {
                "description": "The topic, partition or group does not exist.",
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "$ref": "#/components/schemas/Problem"
                    }
                  }
                }
              },
              "Conflict": {
                "description": "The resource already exists.",
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "$ref": "#/components/schemas/Problem"
                    }
                  }
                }
              },
              "ContentTooLarge": {
                "description": "The request body is larger than the limit (8 MiB by default).",
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "$ref": "#/components/schemas/Problem"
                    }
                  }
                }
              },
              "RangeNotSatisfiable": {
                "description": "The offset is past the end of the partition.",
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "$ref": "#/components/schemas/Problem"
                    }
                  }
                }
              },
              "Unavailable": {
                "description": "Storage is overloaded, failing or shutting down; retry after the given delay.",
                "headers": {
                  "Retry-After": {
                    "description": "Seconds to wait.",
                    "schema": {
                      "type": "integer",
                      "minimum": 0
                    }
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "$ref": "#/components/schemas/Problem"
                    }
                  }
                }
              }
            },
            "parameters": {
              "Topic": {
                "name": "topic",
                "in": "path",
                "required": true,
                "description": "The topic name (1 to 249 of A-Z a-z 0-9 . _ -); any other name is 400.",
                "schema": {
                  "type": "string"
                },
                "example": "orders"
              }
            }
          }
        }
        """#
}
