import Hummingbird
import NIOCore

/// The OpenAPI 3.0 document of every HTTP route, served at `GET /api/v1/openapi.json`. Keep it in step with
/// `HTTPFrontEnd.router()`, `AdminRoutes`, `EventRoutes` and `RoutingRoutes`: `OpenAPIDocumentTests` checks its
/// paths against the routes, `Tests/Interop/test_openapi.py` validates it and fuzzes a live node against it.
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
            "description": "CloudEvents in and out of topics, the admin REST API and health checks (docs/HTTP.md); push subscriptions, queues and request/reply (docs/ROUTING.md). Every error is application/problem+json (RFC 9457)."
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
            },
            {
              "name": "routing",
              "description": "Push subscriptions, consumable queues and request/reply (docs/ROUTING.md)."
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
            "/api/v1/subscriptions": {
              "get": {
                "operationId": "listSubscriptions",
                "tags": [
                  "routing"
                ],
                "summary": "Every subscription, by name.",
                "responses": {
                  "200": {
                    "description": "The subscriptions.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/SubscriptionList"
                        }
                      }
                    }
                  }
                }
              },
              "post": {
                "operationId": "createSubscription",
                "tags": [
                  "routing"
                ],
                "summary": "Creates a subscription.",
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/SubscriptionDefinition"
                      },
                      "example": {
                        "name": "billing",
                        "topics": [
                          "orders"
                        ],
                        "filters": [
                          {
                            "exact": {
                              "type": "order.created"
                            }
                          }
                        ],
                        "sink": {
                          "uri": "http://billing.internal:8080/events"
                        },
                        "delivery": {
                          "retry": 5,
                          "backoffPolicy": "exponential",
                          "backoffDelay": "PT0.5S",
                          "deadLetterSink": {
                            "topic": "orders.dead"
                          }
                        },
                        "startFrom": "latest"
                      }
                    }
                  }
                },
                "responses": {
                  "201": {
                    "description": "Created; the subscription as stored.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Subscription"
                        }
                      }
                    },
                    "headers": {
                      "Location": {
                        "description": "/api/v1/subscriptions/{name}",
                        "schema": {
                          "type": "string"
                        }
                      }
                    },
                    "links": {
                      "GetSubscription": {
                        "operationId": "getSubscription",
                        "parameters": {
                          "name": "$response.body#/name"
                        }
                      },
                      "DeleteSubscription": {
                        "operationId": "deleteSubscription",
                        "parameters": {
                          "name": "$response.body#/name"
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "The definition is invalid (invalid-definition: the detail names the member and why).",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        }
                      }
                    }
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
            "/api/v1/subscriptions/{name}": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/SubscriptionName"
                }
              ],
              "get": {
                "operationId": "getSubscription",
                "tags": [
                  "routing"
                ],
                "summary": "The subscription's definition with its status.",
                "responses": {
                  "200": {
                    "description": "The subscription.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/SubscriptionDetail"
                        }
                      }
                    }
                  },
                  "404": {
                    "description": "No subscription has that name (subscription-not-found).",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        }
                      }
                    }
                  }
                }
              },
              "put": {
                "operationId": "replaceSubscription",
                "tags": [
                  "routing"
                ],
                "summary": "Creates the subscription, or replaces the one of that name (keeping its progress).",
                "description": "The body's name must be the path's. A replaced subscription keeps its progress; partitions it newly covers start where startFrom says.",
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/SubscriptionDefinition"
                      },
                      "example": {
                        "name": "billing",
                        "topics": [
                          "orders"
                        ],
                        "filters": [
                          {
                            "exact": {
                              "type": "order.created"
                            }
                          }
                        ],
                        "sink": {
                          "uri": "http://billing.internal:8080/events"
                        },
                        "delivery": {
                          "retry": 5,
                          "backoffPolicy": "exponential",
                          "backoffDelay": "PT0.5S",
                          "deadLetterSink": {
                            "topic": "orders.dead"
                          }
                        },
                        "startFrom": "latest"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "Replaced (or unchanged); the subscription as stored.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Subscription"
                        }
                      }
                    }
                  },
                  "201": {
                    "description": "Created; the subscription as stored.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Subscription"
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "The definition is invalid, or its name is not the path's (invalid-definition).",
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
              "delete": {
                "operationId": "deleteSubscription",
                "tags": [
                  "routing"
                ],
                "summary": "Deletes the subscription and its progress.",
                "responses": {
                  "204": {
                    "description": "Deleted."
                  },
                  "404": {
                    "description": "No subscription has that name (subscription-not-found).",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        }
                      }
                    }
                  },
                  "503": {
                    "$ref": "#/components/responses/Unavailable"
                  }
                }
              }
            },
            "/api/v1/queues": {
              "get": {
                "operationId": "listQueues",
                "tags": [
                  "routing"
                ],
                "summary": "Every queue, by name.",
                "responses": {
                  "200": {
                    "description": "The queues.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/QueueList"
                        }
                      }
                    }
                  }
                }
              },
              "post": {
                "operationId": "createQueue",
                "tags": [
                  "routing"
                ],
                "summary": "Creates a queue.",
                "description": "The queue's topic is created when missing and auto-creation is on.",
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/QueueDefinition"
                      },
                      "example": {
                        "name": "orders-work",
                        "topic": "orders",
                        "maxDeliveries": 5,
                        "lease": "PT30S",
                        "startFrom": "earliest"
                      }
                    }
                  }
                },
                "responses": {
                  "201": {
                    "description": "Created; the queue as stored.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Queue"
                        }
                      }
                    },
                    "headers": {
                      "Location": {
                        "description": "/api/v1/queues/{name}",
                        "schema": {
                          "type": "string"
                        }
                      }
                    },
                    "links": {
                      "GetQueue": {
                        "operationId": "getQueue",
                        "parameters": {
                          "name": "$response.body#/name"
                        }
                      },
                      "DeleteQueue": {
                        "operationId": "deleteQueue",
                        "parameters": {
                          "name": "$response.body#/name"
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "The definition is invalid (invalid-definition: the detail names the member and why).",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        }
                      }
                    }
                  },
                  "409": {
                    "$ref": "#/components/responses/Conflict"
                  },
                  "404": {
                    "description": "The queue's topic does not exist and auto-creation is off.",
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
              }
            },
            "/api/v1/queues/{name}": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/QueueName"
                }
              ],
              "get": {
                "operationId": "getQueue",
                "tags": [
                  "routing"
                ],
                "summary": "The queue's definition with its status.",
                "responses": {
                  "200": {
                    "description": "The queue.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/QueueDetail"
                        }
                      }
                    }
                  },
                  "404": {
                    "description": "No queue has that name (queue-not-found).",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        }
                      }
                    }
                  }
                }
              },
              "put": {
                "operationId": "replaceQueue",
                "tags": [
                  "routing"
                ],
                "summary": "Creates the queue, or replaces the one of that name (keeping its state).",
                "description": "The body's name must be the path's. A replaced queue keeps its state; its topic cannot change (400).",
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/QueueDefinition"
                      },
                      "example": {
                        "name": "orders-work",
                        "topic": "orders",
                        "maxDeliveries": 5,
                        "lease": "PT30S",
                        "startFrom": "earliest"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "Replaced (or unchanged); the queue as stored.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Queue"
                        }
                      }
                    }
                  },
                  "201": {
                    "description": "Created; the queue as stored.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Queue"
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "The definition is invalid, or its name is not the path's (invalid-definition).",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        }
                      }
                    }
                  },
                  "404": {
                    "description": "The queue's topic does not exist and auto-creation is off.",
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
              "delete": {
                "operationId": "deleteQueue",
                "tags": [
                  "routing"
                ],
                "summary": "Deletes the queue and its state (its events stay in the topic).",
                "responses": {
                  "204": {
                    "description": "Deleted."
                  },
                  "404": {
                    "description": "No queue has that name (queue-not-found).",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        }
                      }
                    }
                  },
                  "503": {
                    "$ref": "#/components/responses/Unavailable"
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
            },
            "/queues/{queue}/receive": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/Queue"
                }
              ],
              "post": {
                "operationId": "receiveMessages",
                "tags": [
                  "routing"
                ],
                "summary": "Receives up to max events from the queue, each leased to the caller; a long poll with timeout_ms.",
                "description": "Each event is invisible to other receivers until its lease ends, it is released, or it is acknowledged or rejected with its receipt. An event handed out maxDeliveries times without an acknowledgement goes to the dead-letter topic.",
                "parameters": [
                  {
                    "name": "max",
                    "in": "query",
                    "description": "The most events to hand out.",
                    "schema": {
                      "type": "integer",
                      "minimum": 1,
                      "maximum": 1000,
                      "default": 1
                    }
                  },
                  {
                    "name": "timeout_ms",
                    "in": "query",
                    "description": "How long an empty answer waits for an event.",
                    "schema": {
                      "type": "integer",
                      "format": "int64",
                      "minimum": 0,
                      "maximum": 300000,
                      "default": 0
                    }
                  },
                  {
                    "name": "lease_ms",
                    "in": "query",
                    "description": "The lease of the events handed out; default the queue's lease.",
                    "schema": {
                      "type": "integer",
                      "format": "int64",
                      "minimum": 100,
                      "maximum": 43200000
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The events handed out (none when none came in time).",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/ReceivedMessages"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "404": {
                    "description": "No queue has that name (queue-not-found).",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        }
                      }
                    }
                  },
                  "503": {
                    "$ref": "#/components/responses/Unavailable"
                  }
                }
              }
            },
            "/queues/{queue}/ack": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/Queue"
                }
              ],
              "post": {
                "operationId": "acknowledgeMessages",
                "tags": [
                  "routing"
                ],
                "summary": "Acknowledges received events: they are done.",
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/SettleRequest"
                      },
                      "example": {
                        "receipts": [
                          "0.42.1"
                        ]
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "What became of each receipt.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/SettleResults"
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "The body is invalid (invalid-definition), or has more than 1000 receipts or a delay_ms out of range (invalid-request).",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        }
                      }
                    }
                  },
                  "404": {
                    "description": "No queue has that name (queue-not-found).",
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
              }
            },
            "/queues/{queue}/release": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/Queue"
                }
              ],
              "post": {
                "operationId": "releaseMessages",
                "tags": [
                  "routing"
                ],
                "summary": "Releases received events: available again, at once or after delay_ms.",
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/ReleaseRequest"
                      },
                      "example": {
                        "receipts": [
                          "0.42.1"
                        ],
                        "delay_ms": 5000
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "What became of each receipt.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/SettleResults"
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "The body is invalid (invalid-definition), or has more than 1000 receipts or a delay_ms out of range (invalid-request).",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        }
                      }
                    }
                  },
                  "404": {
                    "description": "No queue has that name (queue-not-found).",
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
              }
            },
            "/queues/{queue}/reject": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/Queue"
                }
              ],
              "post": {
                "operationId": "rejectMessages",
                "tags": [
                  "routing"
                ],
                "summary": "Rejects received events: they go to the queue's dead-letter topic.",
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/SettleRequest"
                      },
                      "example": {
                        "receipts": [
                          "0.42.1"
                        ]
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "What became of each receipt.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/SettleResults"
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "The body is invalid (invalid-definition), or has more than 1000 receipts or a delay_ms out of range (invalid-request).",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        }
                      }
                    }
                  },
                  "404": {
                    "description": "No queue has that name (queue-not-found).",
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
              }
            },
            "/topics/{topic}/requests": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/Topic"
                }
              ],
              "post": {
                "operationId": "requestReply",
                "tags": [
                  "routing"
                ],
                "summary": "Publishes one CloudEvent as a request and answers with its reply.",
                "description": "The event is read as on POST /topics/{topic}/events (binary mode, or structured with application/cloudevents+json; a batch must hold exactly one event) and published with the extensions correlationid (its own when set, else its id) and replyto (its own when set, else TOPIC.replies). The answer is the first event published to the reply topic with the same correlationid, in binary mode: ce-* headers for its attributes, Content-Type its datacontenttype, the body its data. No reply within timeout_ms is 504.",
                "parameters": [
                  {
                    "name": "timeout_ms",
                    "in": "query",
                    "description": "How long to wait for the reply.",
                    "schema": {
                      "type": "integer",
                      "format": "int64",
                      "minimum": 1,
                      "maximum": 300000,
                      "default": 30000
                    }
                  },
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
                  },
                  {
                    "name": "ce-correlationid",
                    "in": "header",
                    "required": false,
                    "description": "Binary mode: ties the reply to the request; default the event id.",
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "name": "ce-replyto",
                    "in": "header",
                    "required": false,
                    "description": "Binary mode: the topic the reply is awaited on (not the request's topic); default TOPIC.replies.",
                    "schema": {
                      "type": "string"
                    }
                  }
                ],
                "requestBody": {
                  "required": true,
                  "description": "Structured mode: the event; batch mode: an array of exactly one event; binary mode (any other Content-Type): the event's data, Content-Type its datacontenttype.",
                  "content": {
                    "application/cloudevents+json": {
                      "schema": {
                        "$ref": "#/components/schemas/CloudEvent"
                      },
                      "example": {
                        "specversion": "1.0",
                        "id": "q-1",
                        "source": "/shop",
                        "type": "price.quote",
                        "data": {
                          "sku": "A-7"
                        }
                      }
                    },
                    "application/cloudevents-batch+json": {
                      "schema": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": 1,
                        "items": {
                          "$ref": "#/components/schemas/CloudEvent"
                        }
                      }
                    },
                    "*/*": {
                      "schema": {
                        "type": "string",
                        "format": "binary"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "The reply in binary mode: its attributes as ce-* headers (percent-encoded), Content-Type its datacontenttype (absent when it has none), the body its data (empty when none).",
                    "headers": {
                      "ce-specversion": {
                        "schema": {
                          "type": "string"
                        }
                      },
                      "ce-id": {
                        "schema": {
                          "type": "string"
                        }
                      },
                      "ce-source": {
                        "schema": {
                          "type": "string"
                        }
                      },
                      "ce-type": {
                        "schema": {
                          "type": "string"
                        }
                      },
                      "ce-correlationid": {
                        "description": "The request's correlationid.",
                        "schema": {
                          "type": "string"
                        }
                      }
                    },
                    "content": {
                      "*/*": {
                        "schema": {
                          "type": "string",
                          "format": "binary"
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "The request is invalid: not exactly one valid CloudEvent (invalid-cloudevent), an invalid topic or replyto, the reply topic being the request's, or a bad timeout_ms.",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        }
                      }
                    }
                  },
                  "404": {
                    "description": "The topic or the reply topic does not exist and auto-creation is off.",
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
                  },
                  "504": {
                    "description": "No reply came within timeout_ms (reply-timeout).",
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
                  },
                  "delivery.mode": {
                    "type": "string",
                    "enum": [
                      "replayable",
                      "volatile"
                    ],
                    "description": "replayable (a durable log, the default) or volatile (a bounded ring in memory, never on disk); fixed when the topic is created."
                  },
                  "preallocate": {
                    "type": "string",
                    "enum": [
                      "true",
                      "false"
                    ],
                    "description": "true: each new segment file is written in full before use, so durable appends overwrite existing blocks (about half the produce latency, every segment written twice). Default false."
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
                  "message.timestamp.type",
                  "delivery.mode",
                  "preallocate"
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
                      },
                      "delivery.mode": {
                        "type": "string",
                        "nullable": true,
                        "enum": [
                          "replayable",
                          "volatile",
                          null
                        ],
                        "description": "Fixed when the topic is created: only its current value is accepted."
                      },
                      "preallocate": {
                        "type": "string",
                        "nullable": true,
                        "enum": [
                          "true",
                          "false",
                          null
                        ],
                        "description": "Applies to segments created from now on."
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
              },
              "RoutingName": {
                "type": "string",
                "description": "The name of a subscription or queue: 1 to 200 ASCII letters, digits, '.', '_' and '-'.",
                "pattern": "^[A-Za-z0-9._-]{1,200}$",
                "example": "billing"
              },
              "TopicPattern": {
                "type": "string",
                "description": "A topic name, or a glob pattern over topic names ('*' any run of characters, '?' one) that also matches topics created later.",
                "pattern": "^[A-Za-z0-9._*?-]{1,249}$",
                "example": "orders.*"
              },
              "Duration": {
                "type": "string",
                "description": "An ISO-8601 duration as Knative writes them: PnW, or PnD with T followed by nH, nM, n[.fraction]S (PT0.5S, PT1M30S, P1D; a fraction only on seconds, a comma allowed as its sign). Years and months are refused. At most 11 digits a component, and the length must fit in 64-bit milliseconds; a finer fraction is truncated to whole milliseconds.",
                "pattern": "^P(?:[0-9]{1,11}W(?:[0-9]{1,11}D)?(?:T(?:[0-9]{1,11}H(?:[0-9]{1,11}M)?(?:[0-9]{1,11}(?:[.,][0-9]+)?S)?|[0-9]{1,11}M(?:[0-9]{1,11}(?:[.,][0-9]+)?S)?|[0-9]{1,11}(?:[.,][0-9]+)?S))?|[0-9]{1,11}D(?:T(?:[0-9]{1,11}H(?:[0-9]{1,11}M)?(?:[0-9]{1,11}(?:[.,][0-9]+)?S)?|[0-9]{1,11}M(?:[0-9]{1,11}(?:[.,][0-9]+)?S)?|[0-9]{1,11}(?:[.,][0-9]+)?S))?|T(?:[0-9]{1,11}H(?:[0-9]{1,11}M)?(?:[0-9]{1,11}(?:[.,][0-9]+)?S)?|[0-9]{1,11}M(?:[0-9]{1,11}(?:[.,][0-9]+)?S)?|[0-9]{1,11}(?:[.,][0-9]+)?S))$",
                "minLength": 3,
                "maxLength": 64,
                "example": "PT30S"
              },
              "URLDestination": {
                "type": "object",
                "description": "An HTTP endpoint: events are POSTed to it in CloudEvents binary mode.",
                "required": [
                  "uri"
                ],
                "properties": {
                  "uri": {
                    "type": "string",
                    "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://",
                    "description": "An absolute http:// or https:// URL with a host.",
                    "example": "http://billing.internal:8080/events"
                  }
                },
                "additionalProperties": false
              },
              "TopicDestination": {
                "type": "object",
                "description": "A topic: events are published to it (created on first use when auto-creation is on).",
                "required": [
                  "topic"
                ],
                "properties": {
                  "topic": {
                    "$ref": "#/components/schemas/TopicName"
                  }
                },
                "additionalProperties": false
              },
              "Destination": {
                "description": "Where events go: exactly one of uri or topic.",
                "oneOf": [
                  {
                    "$ref": "#/components/schemas/URLDestination"
                  },
                  {
                    "$ref": "#/components/schemas/TopicDestination"
                  }
                ]
              },
              "EventFilter": {
                "type": "object",
                "description": "A Knative Trigger filter with one dialect set: {\"exact\": {\"type\": \"x\"}}, prefix, suffix (one attribute each, a non-empty value), attributes (every attribute equal; \"\" means present and non-empty), all or any (lists of filters), not (a filter), cesql (a CESQL expression). Attribute names match ^[a-z][a-z0-9]*$. An empty dialect ({}, [], \"\", null) counts as unset; more than one set dialect, an unknown dialect or an invalid expression is 400. An object with none set passes everything.",
                "properties": {
                  "attributes": {
                    "type": "object",
                    "additionalProperties": {
                      "type": "string"
                    },
                    "nullable": true
                  },
                  "exact": {
                    "type": "object",
                    "nullable": true,
                    "maxProperties": 1,
                    "additionalProperties": {
                      "type": "string",
                      "minLength": 1
                    },
                    "description": "The attribute equals the value."
                  },
                  "prefix": {
                    "type": "object",
                    "nullable": true,
                    "maxProperties": 1,
                    "additionalProperties": {
                      "type": "string",
                      "minLength": 1
                    },
                    "description": "The attribute starts with the value."
                  },
                  "suffix": {
                    "type": "object",
                    "nullable": true,
                    "maxProperties": 1,
                    "additionalProperties": {
                      "type": "string",
                      "minLength": 1
                    },
                    "description": "The attribute ends with the value."
                  },
                  "all": {
                    "type": "array",
                    "nullable": true,
                    "items": {
                      "$ref": "#/components/schemas/EventFilter"
                    },
                    "description": "Passes when every filter passes."
                  },
                  "any": {
                    "type": "array",
                    "nullable": true,
                    "items": {
                      "$ref": "#/components/schemas/EventFilter"
                    },
                    "description": "Passes when one filter passes."
                  },
                  "not": {
                    "allOf": [
                      {
                        "$ref": "#/components/schemas/EventFilter"
                      }
                    ],
                    "nullable": true,
                    "description": "Passes when the filter fails."
                  },
                  "cesql": {
                    "type": "string",
                    "nullable": true,
                    "description": "A CloudEvents SQL expression; passes when it is true.",
                    "example": "type LIKE 'order.%' AND EXISTS subject"
                  }
                },
                "additionalProperties": false,
                "example": {
                  "exact": {
                    "type": "order.created"
                  }
                }
              },
              "LegacyFilter": {
                "type": "object",
                "description": "Knative's filter.attributes: every attribute equals its value (\"\": present and non-empty). Used when filters is empty.",
                "properties": {
                  "attributes": {
                    "type": "object",
                    "additionalProperties": {
                      "type": "string"
                    },
                    "nullable": true
                  }
                },
                "additionalProperties": false
              },
              "DeliverySpec": {
                "type": "object",
                "description": "How a subscription retries, waits and gives up (Knative's DeliverySpec, plus ordering). Every member is optional on input.",
                "properties": {
                  "retry": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 100,
                    "default": 3,
                    "nullable": true,
                    "description": "Retries after the first attempt."
                  },
                  "backoffPolicy": {
                    "type": "string",
                    "enum": [
                      "linear",
                      "exponential",
                      null
                    ],
                    "default": "exponential",
                    "nullable": true,
                    "description": "linear: backoffDelay × k before retry k; exponential: backoffDelay × 2^(k−1)."
                  },
                  "backoffDelay": {
                    "allOf": [
                      {
                        "$ref": "#/components/schemas/Duration"
                      }
                    ],
                    "nullable": true,
                    "description": "The base wait between attempts, at most P1D; default PT0.2S."
                  },
                  "timeout": {
                    "allOf": [
                      {
                        "$ref": "#/components/schemas/Duration"
                      }
                    ],
                    "nullable": true,
                    "description": "The time one attempt may take, more than 0 and at most PT1H; default PT30S."
                  },
                  "retryAfterMax": {
                    "allOf": [
                      {
                        "$ref": "#/components/schemas/Duration"
                      }
                    ],
                    "nullable": true,
                    "description": "The longest Retry-After (on 429 and 503) honoured, at most P1D; default PT60S."
                  },
                  "deadLetterSink": {
                    "allOf": [
                      {
                        "$ref": "#/components/schemas/Destination"
                      }
                    ],
                    "nullable": true,
                    "description": "Where an event goes when every attempt failed; none drops it."
                  },
                  "ordering": {
                    "type": "string",
                    "enum": [
                      "ordered",
                      "unordered",
                      null
                    ],
                    "default": "ordered",
                    "nullable": true,
                    "description": "ordered: one event of a partition at a time, in order; unordered: up to concurrency at once."
                  },
                  "concurrency": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 1000,
                    "default": 16,
                    "nullable": true,
                    "description": "Events in flight per partition when unordered."
                  }
                },
                "additionalProperties": false
              },
              "SubscriptionDefinition": {
                "type": "object",
                "description": "A push subscription: the events of some topics that pass a filter, delivered to a sink. Unknown members are 400. A sink, reply or dead-letter topic that is one of the sources is 400 (a loop).",
                "required": [
                  "name",
                  "sink"
                ],
                "properties": {
                  "name": {
                    "$ref": "#/components/schemas/RoutingName"
                  },
                  "topics": {
                    "type": "array",
                    "nullable": true,
                    "maxItems": 100,
                    "items": {
                      "$ref": "#/components/schemas/TopicPattern"
                    },
                    "description": "The sources (with topic, 1 to 100 in all)."
                  },
                  "topic": {
                    "allOf": [
                      {
                        "$ref": "#/components/schemas/TopicPattern"
                      }
                    ],
                    "nullable": true,
                    "description": "One more source, added to topics."
                  },
                  "filter": {
                    "allOf": [
                      {
                        "$ref": "#/components/schemas/LegacyFilter"
                      }
                    ],
                    "nullable": true
                  },
                  "filters": {
                    "type": "array",
                    "nullable": true,
                    "items": {
                      "$ref": "#/components/schemas/EventFilter"
                    },
                    "description": "Every filter must pass; when non-empty they win over filter."
                  },
                  "sink": {
                    "$ref": "#/components/schemas/Destination"
                  },
                  "reply": {
                    "allOf": [
                      {
                        "$ref": "#/components/schemas/TopicDestination"
                      }
                    ],
                    "nullable": true,
                    "description": "Where events in a sink's response are published; none ignores them."
                  },
                  "delivery": {
                    "allOf": [
                      {
                        "$ref": "#/components/schemas/DeliverySpec"
                      }
                    ],
                    "nullable": true
                  },
                  "startFrom": {
                    "type": "string",
                    "enum": [
                      "latest",
                      "earliest",
                      null
                    ],
                    "default": "latest",
                    "description": "Where it starts on the partitions that exist when it is created: latest (only new events) or earliest (everything still stored); partitions created later start at their beginning.",
                    "nullable": true
                  }
                },
                "additionalProperties": false
              },
              "Subscription": {
                "type": "object",
                "description": "A subscription's definition as stored (defaults filled in; topic merged into topics).",
                "required": [
                  "name",
                  "topics",
                  "sink",
                  "delivery",
                  "startFrom"
                ],
                "properties": {
                  "name": {
                    "$ref": "#/components/schemas/RoutingName"
                  },
                  "topics": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 100,
                    "items": {
                      "$ref": "#/components/schemas/TopicPattern"
                    }
                  },
                  "filter": {
                    "type": "object",
                    "required": [
                      "attributes"
                    ],
                    "properties": {
                      "attributes": {
                        "type": "object",
                        "additionalProperties": {
                          "type": "string"
                        }
                      }
                    },
                    "additionalProperties": false,
                    "description": "Knative's filter.attributes, when given."
                  },
                  "filters": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/EventFilter"
                    },
                    "description": "Absent when empty."
                  },
                  "sink": {
                    "$ref": "#/components/schemas/Destination"
                  },
                  "reply": {
                    "$ref": "#/components/schemas/TopicDestination"
                  },
                  "delivery": {
                    "$ref": "#/components/schemas/DeliverySpec"
                  },
                  "startFrom": {
                    "type": "string",
                    "enum": [
                      "latest",
                      "earliest"
                    ],
                    "default": "latest",
                    "description": "Where it starts on the partitions that exist when it is created: latest (only new events) or earliest (everything still stored); partitions created later start at their beginning."
                  }
                },
                "additionalProperties": false
              },
              "SubscriptionDetail": {
                "type": "object",
                "description": "A subscription with its status.",
                "required": [
                  "name",
                  "topics",
                  "sink",
                  "delivery",
                  "startFrom",
                  "status"
                ],
                "properties": {
                  "name": {
                    "$ref": "#/components/schemas/RoutingName"
                  },
                  "topics": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 100,
                    "items": {
                      "$ref": "#/components/schemas/TopicPattern"
                    }
                  },
                  "filter": {
                    "type": "object",
                    "required": [
                      "attributes"
                    ],
                    "properties": {
                      "attributes": {
                        "type": "object",
                        "additionalProperties": {
                          "type": "string"
                        }
                      }
                    },
                    "additionalProperties": false,
                    "description": "Knative's filter.attributes, when given."
                  },
                  "filters": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/EventFilter"
                    },
                    "description": "Absent when empty."
                  },
                  "sink": {
                    "$ref": "#/components/schemas/Destination"
                  },
                  "reply": {
                    "$ref": "#/components/schemas/TopicDestination"
                  },
                  "delivery": {
                    "$ref": "#/components/schemas/DeliverySpec"
                  },
                  "startFrom": {
                    "type": "string",
                    "enum": [
                      "latest",
                      "earliest"
                    ],
                    "default": "latest",
                    "description": "Where it starts on the partitions that exist when it is created: latest (only new events) or earliest (everything still stored); partitions created later start at their beginning."
                  },
                  "status": {
                    "type": "object",
                    "required": [
                      "partitions",
                      "counters"
                    ],
                    "properties": {
                      "partitions": {
                        "type": "array",
                        "items": {
                          "type": "object",
                          "required": [
                            "topic",
                            "partition",
                            "next",
                            "end",
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
                            "next": {
                              "type": "integer",
                              "format": "int64",
                              "description": "The next offset to deliver; everything before it is settled."
                            },
                            "end": {
                              "type": "integer",
                              "format": "int64",
                              "minimum": -1,
                              "description": "The high watermark; -1 when the partition no longer exists."
                            },
                            "lag": {
                              "type": "integer",
                              "format": "int64",
                              "minimum": -1,
                              "description": "end − next; -1 when the partition no longer exists."
                            }
                          },
                          "additionalProperties": false
                        }
                      },
                      "counters": {
                        "type": "object",
                        "description": "Since the node started.",
                        "required": [
                          "delivered",
                          "retried",
                          "deadLettered",
                          "dropped",
                          "filtered",
                          "replies",
                          "inFlight"
                        ],
                        "properties": {
                          "delivered": {
                            "type": "integer",
                            "minimum": 0
                          },
                          "retried": {
                            "type": "integer",
                            "minimum": 0
                          },
                          "deadLettered": {
                            "type": "integer",
                            "minimum": 0
                          },
                          "dropped": {
                            "type": "integer",
                            "minimum": 0
                          },
                          "filtered": {
                            "type": "integer",
                            "minimum": 0
                          },
                          "replies": {
                            "type": "integer",
                            "minimum": 0
                          },
                          "inFlight": {
                            "type": "integer",
                            "minimum": 0
                          }
                        },
                        "additionalProperties": false
                      }
                    },
                    "additionalProperties": false
                  }
                },
                "additionalProperties": false
              },
              "SubscriptionList": {
                "type": "object",
                "required": [
                  "subscriptions"
                ],
                "properties": {
                  "subscriptions": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Subscription"
                    },
                    "description": "By name."
                  }
                },
                "additionalProperties": false
              },
              "QueueDefinition": {
                "type": "object",
                "description": "A consumable queue over one topic (a share group): each event goes to one receiver at a time under a lease, and is acknowledged, released or rejected. Unknown members are 400. A volatile topic is 400; the topic is created when missing and auto-creation is on.",
                "required": [
                  "name",
                  "topic"
                ],
                "properties": {
                  "name": {
                    "$ref": "#/components/schemas/RoutingName"
                  },
                  "topic": {
                    "$ref": "#/components/schemas/TopicName"
                  },
                  "filter": {
                    "allOf": [
                      {
                        "$ref": "#/components/schemas/LegacyFilter"
                      }
                    ],
                    "nullable": true
                  },
                  "filters": {
                    "type": "array",
                    "nullable": true,
                    "items": {
                      "$ref": "#/components/schemas/EventFilter"
                    },
                    "description": "Every filter must pass (events that fail are settled without delivery); when non-empty they win over filter."
                  },
                  "maxDeliveries": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 1000,
                    "default": 5,
                    "nullable": true,
                    "description": "Deliveries after which an event not acknowledged goes to the dead-letter topic."
                  },
                  "lease": {
                    "allOf": [
                      {
                        "$ref": "#/components/schemas/Duration"
                      }
                    ],
                    "nullable": true,
                    "description": "How long a received event stays invisible to other receivers, PT0.1S to PT12H; default PT30S."
                  },
                  "deadLetterTopic": {
                    "allOf": [
                      {
                        "$ref": "#/components/schemas/TopicName"
                      }
                    ],
                    "nullable": true,
                    "description": "Where rejected and exhausted events go, not the queue's topic; default NAME.dlq."
                  },
                  "startFrom": {
                    "type": "string",
                    "enum": [
                      "latest",
                      "earliest",
                      null
                    ],
                    "default": "latest",
                    "description": "Where it starts on the partitions that exist when it is created: latest (only new events) or earliest (everything still stored); partitions created later start at their beginning.",
                    "nullable": true
                  }
                },
                "additionalProperties": false
              },
              "Queue": {
                "type": "object",
                "description": "A queue's definition as stored (defaults filled in).",
                "required": [
                  "name",
                  "topic",
                  "maxDeliveries",
                  "lease",
                  "deadLetterTopic",
                  "startFrom"
                ],
                "properties": {
                  "name": {
                    "$ref": "#/components/schemas/RoutingName"
                  },
                  "topic": {
                    "$ref": "#/components/schemas/TopicName"
                  },
                  "filter": {
                    "type": "object",
                    "required": [
                      "attributes"
                    ],
                    "properties": {
                      "attributes": {
                        "type": "object",
                        "additionalProperties": {
                          "type": "string"
                        }
                      }
                    },
                    "additionalProperties": false,
                    "description": "Knative's filter.attributes, when given."
                  },
                  "filters": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/EventFilter"
                    },
                    "description": "Absent when empty."
                  },
                  "maxDeliveries": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 1000
                  },
                  "lease": {
                    "$ref": "#/components/schemas/Duration"
                  },
                  "deadLetterTopic": {
                    "$ref": "#/components/schemas/TopicName"
                  },
                  "startFrom": {
                    "type": "string",
                    "enum": [
                      "latest",
                      "earliest"
                    ],
                    "default": "latest",
                    "description": "Where it starts on the partitions that exist when it is created: latest (only new events) or earliest (everything still stored); partitions created later start at their beginning."
                  }
                },
                "additionalProperties": false
              },
              "QueueDetail": {
                "type": "object",
                "description": "A queue with its status.",
                "required": [
                  "name",
                  "topic",
                  "maxDeliveries",
                  "lease",
                  "deadLetterTopic",
                  "startFrom",
                  "status"
                ],
                "properties": {
                  "name": {
                    "$ref": "#/components/schemas/RoutingName"
                  },
                  "topic": {
                    "$ref": "#/components/schemas/TopicName"
                  },
                  "filter": {
                    "type": "object",
                    "required": [
                      "attributes"
                    ],
                    "properties": {
                      "attributes": {
                        "type": "object",
                        "additionalProperties": {
                          "type": "string"
                        }
                      }
                    },
                    "additionalProperties": false,
                    "description": "Knative's filter.attributes, when given."
                  },
                  "filters": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/EventFilter"
                    },
                    "description": "Absent when empty."
                  },
                  "maxDeliveries": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 1000
                  },
                  "lease": {
                    "$ref": "#/components/schemas/Duration"
                  },
                  "deadLetterTopic": {
                    "$ref": "#/components/schemas/TopicName"
                  },
                  "startFrom": {
                    "type": "string",
                    "enum": [
                      "latest",
                      "earliest"
                    ],
                    "default": "latest",
                    "description": "Where it starts on the partitions that exist when it is created: latest (only new events) or earliest (everything still stored); partitions created later start at their beginning."
                  },
                  "status": {
                    "type": "object",
                    "required": [
                      "partitions"
                    ],
                    "properties": {
                      "partitions": {
                        "type": "array",
                        "items": {
                          "type": "object",
                          "required": [
                            "partition",
                            "settled",
                            "end",
                            "leased",
                            "waiting"
                          ],
                          "properties": {
                            "partition": {
                              "type": "integer",
                              "format": "int32",
                              "minimum": 0
                            },
                            "settled": {
                              "type": "integer",
                              "format": "int64",
                              "description": "Everything before this offset is settled."
                            },
                            "end": {
                              "type": "integer",
                              "format": "int64",
                              "minimum": -1,
                              "description": "The high watermark; -1 when the partition no longer exists."
                            },
                            "leased": {
                              "type": "integer",
                              "minimum": 0,
                              "description": "Events under a lease."
                            },
                            "waiting": {
                              "type": "integer",
                              "minimum": 0,
                              "description": "Events not settled and not leased."
                            }
                          },
                          "additionalProperties": false
                        }
                      }
                    },
                    "additionalProperties": false
                  }
                },
                "additionalProperties": false
              },
              "QueueList": {
                "type": "object",
                "required": [
                  "queues"
                ],
                "properties": {
                  "queues": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Queue"
                    },
                    "description": "By name."
                  }
                },
                "additionalProperties": false
              },
              "Event": {
                "type": "object",
                "description": "An event as a structured CloudEvent (JSON event format). Records produced over Kafka without ce_ headers read through the CloudEvents view of a record (docs/CLOUDEVENTS.md).",
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
              "ReceivedMessage": {
                "type": "object",
                "required": [
                  "receipt",
                  "partition",
                  "offset",
                  "deliveryCount",
                  "leaseExpiresAt",
                  "event"
                ],
                "properties": {
                  "receipt": {
                    "type": "string",
                    "description": "What acknowledges, releases or rejects this delivery.",
                    "example": "0.42.1",
                    "pattern": "^[0-9]+\\.[0-9]+\\.[0-9]+$"
                  },
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
                  "deliveryCount": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "This delivery's number (1 the first time)."
                  },
                  "leaseExpiresAt": {
                    "type": "string",
                    "format": "date-time",
                    "description": "When the lease ends and the event is available to others again."
                  },
                  "event": {
                    "$ref": "#/components/schemas/Event"
                  }
                },
                "additionalProperties": false
              },
              "ReceivedMessages": {
                "type": "object",
                "required": [
                  "messages"
                ],
                "properties": {
                  "messages": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/ReceivedMessage"
                    },
                    "maxItems": 1000
                  }
                },
                "additionalProperties": false
              },
              "SettleRequest": {
                "type": "object",
                "required": [
                  "receipts"
                ],
                "properties": {
                  "receipts": {
                    "type": "array",
                    "maxItems": 1000,
                    "items": {
                      "type": "string"
                    },
                    "description": "Receipts of received events, at most 1000; anything else is reported unknown."
                  }
                }
              },
              "ReleaseRequest": {
                "type": "object",
                "required": [
                  "receipts"
                ],
                "properties": {
                  "receipts": {
                    "type": "array",
                    "maxItems": 1000,
                    "items": {
                      "type": "string"
                    },
                    "description": "Receipts of received events, at most 1000; anything else is reported unknown."
                  },
                  "delay_ms": {
                    "type": "integer",
                    "format": "int64",
                    "minimum": 0,
                    "maximum": 86400000,
                    "default": 0,
                    "nullable": true,
                    "description": "How long the events stay invisible before they are available again."
                  }
                }
              },
              "SettleResults": {
                "type": "object",
                "required": [
                  "results"
                ],
                "properties": {
                  "results": {
                    "type": "array",
                    "description": "One per receipt, in request order.",
                    "items": {
                      "type": "object",
                      "required": [
                        "receipt",
                        "status"
                      ],
                      "properties": {
                        "receipt": {
                          "type": "string"
                        },
                        "status": {
                          "type": "string",
                          "enum": [
                            "ok",
                            "stale",
                            "unknown"
                          ],
                          "description": "ok: done as asked; stale: the lease expired and the event was handed out again since; unknown: no unsettled delivery matches (settled already, never handed out, or no receipt)."
                        }
                      },
                      "additionalProperties": false
                    }
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
                "description": "The topic, partition, group, subscription or queue does not exist.",
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
              },
              "SubscriptionName": {
                "name": "name",
                "in": "path",
                "required": true,
                "description": "The subscription's name.",
                "schema": {
                  "type": "string"
                },
                "example": "billing"
              },
              "QueueName": {
                "name": "name",
                "in": "path",
                "required": true,
                "description": "The queue's name.",
                "schema": {
                  "type": "string"
                },
                "example": "orders-work"
              },
              "Queue": {
                "name": "queue",
                "in": "path",
                "required": true,
                "description": "The queue's name.",
                "schema": {
                  "type": "string"
                },
                "example": "orders-work"
              }
            }
          }
        }
        """#
}
