// Generated from openapi/openapi.yaml by `make openapi`; a test keeps the two equal.
enum OpenAPIDocument {
    static let yaml = #"""
openapi: 3.1.0
info:
  title: memcgd
  version: 0.1.0
  description: |
    A user-space model of the Linux memory resource controller (memcg).
    Amounts are bytes; counters are counts. Container names are
    [A-Za-z0-9._-]{1,64} without "..". Errors are RFC 9457 problem details
    with an errno-style code.

    The schemas describe the default interface, cgroup v2 (GET /machine
    says which runs). With --cgroup v1, high, low, min, swap_max, oom_group
    and proactive reclaim are refused with EOPNOTSUPP, limits hold max
    only, lowering max below what can be reclaimed is 409 EBUSY (with
    evicted), and move_charge accepts 1 (anon), 2 (file) and 3.
servers:
  - url: http://127.0.0.1:8080
security:
  - {}
  - bearer: []
paths:
  /:
    get:
      operationId: webView
      summary: The web view, one self-contained page (it asks for the bearer token itself).
      security: [{}]
      responses:
        "200":
          description: The page.
          content:
            text/html:
              schema: {type: string}
  /healthz:
    get:
      operationId: healthz
      summary: Liveness; 503 while one request has held the engine lock past --stall-threshold.
      security: [{}]
      responses:
        "200":
          description: Alive.
          content:
            application/json:
              schema:
                type: object
                required: [status]
                properties:
                  status: {const: ok}
        "503":
          description: A request has held the engine lock for longer than the stall threshold.
          content:
            application/json:
              schema:
                type: object
                required: [status, detail]
                properties:
                  status: {const: stalled}
                  detail: {type: string}
  /machine:
    get:
      operationId: getMachine
      summary: The simulated machine.
      responses:
        "200":
          description: Machine settings and free memory.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Machine"}
        "401": {$ref: "#/components/responses/Unauthorized"}
  /machine/reset:
    post:
      operationId: resetMachine
      summary: "Start over with a fresh engine on the same machine (no containers but root, no processes, no pages); the history restarts."
      requestBody:
        required: false
        content:
          application/json:
            schema: {type: object, additionalProperties: false, maxProperties: 0}
      responses:
        "200":
          description: The machine after the reset.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Machine"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "413": {$ref: "#/components/responses/TooLarge"}
  /containers:
    get:
      operationId: listContainers
      summary: All containers, depth-first in creation order.
      responses:
        "200":
          description: The containers.
          content:
            application/json:
              schema:
                type: object
                required: [containers]
                properties:
                  containers:
                    type: array
                    items: {$ref: "#/components/schemas/Container"}
        "401": {$ref: "#/components/responses/Unauthorized"}
    post:
      operationId: createContainer
      summary: Create a container.
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              required: [name]
              properties:
                name: {$ref: "#/components/schemas/Name"}
                parent: {$ref: "#/components/schemas/Name"}
                limits: {$ref: "#/components/schemas/LimitsInput"}
                charge_type: {enum: [all, mapped]}
                labels: {$ref: "#/components/schemas/Labels"}
                oom_group:
                  type: boolean
                  description: memory.oom.group (cgroup v2 only; EOPNOTSUPP on v1).
      responses:
        "201":
          description: Created.
          headers:
            Location:
              schema: {type: string}
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Container"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
        "413": {$ref: "#/components/responses/TooLarge"}
  /containers/{name}:
    get:
      operationId: getContainer
      summary: One container.
      parameters:
        - {$ref: "#/components/parameters/Name"}
      responses:
        "200":
          description: The container.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Container"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
    patch:
      operationId: updateContainer
      summary: Change charge_type (future charges) and oom_group (future OOMs; cgroup v2 only).
      parameters:
        - {$ref: "#/components/parameters/ChildName"}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              properties:
                charge_type: {enum: [all, mapped]}
                oom_group: {type: boolean}
      responses:
        "200":
          description: The container after the change.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Container"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "413": {$ref: "#/components/responses/TooLarge"}
    delete:
      operationId: deleteContainer
      summary: Delete a container; its charges move to the parent (refused on root).
      parameters:
        - {$ref: "#/components/parameters/ChildName"}
      responses:
        "204": {description: Deleted.}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
  /containers/{name}/limits:
    get:
      operationId: getLimits
      parameters:
        - {$ref: "#/components/parameters/Name"}
      summary: Every control of the interface (v1 max; v2 max, high, low, min, swap_max); unlimited is null.
      responses:
        "200":
          description: The limits.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Limits"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
    put:
      operationId: putLimits
      parameters:
        - {$ref: "#/components/parameters/ChildName"}
      summary: >-
        Set some, all or none of the controls, validated first and applied in
        the order swap_max, min, low, high, max. Lowering max reclaims; on v1
        EBUSY keeps the old limit, on v2 OOM kills follow. A control on the root is
        EINVAL; an empty object changes nothing (root too).
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/LimitsInput"}
      responses:
        "200":
          description: The controls as stored, what the write evicted and whom it killed.
          content:
            application/json:
              schema:
                type: object
                additionalProperties: false
                required: [max, evicted, oom_kills]
                properties:
                  max: {$ref: "#/components/schemas/LimitBytes"}
                  high: {$ref: "#/components/schemas/LimitBytes"}
                  low: {$ref: "#/components/schemas/LimitBytes"}
                  min: {$ref: "#/components/schemas/LimitBytes"}
                  swap_max: {$ref: "#/components/schemas/LimitBytes"}
                  evicted: {$ref: "#/components/schemas/EvictedList"}
                  oom_kills: {$ref: "#/components/schemas/OOMKills"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
        "413": {$ref: "#/components/responses/TooLarge"}
  /containers/{name}/stats:
    parameters:
      - {$ref: "#/components/parameters/Name"}
    get:
      operationId: getContainerStats
      summary: Counters, stat, total_stat, events.
      responses:
        "200":
          description: The statistics.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/ContainerStats"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
  /containers/{name}/history:
    parameters:
      - {$ref: "#/components/parameters/Name"}
    get:
      operationId: getContainerHistory
      summary: Usage and working set sampled once a second over the last 10 minutes (at most 600 samples, oldest first).
      responses:
        "200":
          description: The samples.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/History"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
  /containers/{name}/stats/reset:
    parameters:
      - {$ref: "#/components/parameters/Name"}
    post:
      operationId: resetStats
      summary: Reset max_usage (to usage) and/or failcnt (to 0); no body resets both.
      requestBody:
        required: false
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              required: [fields]
              properties:
                fields:
                  type: array
                  items: {enum: [max_usage, failcnt]}
      responses:
        "200":
          description: The statistics after the reset.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/ContainerStats"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "413": {$ref: "#/components/responses/TooLarge"}
  /containers/{name}/force_empty:
    parameters:
      - {$ref: "#/components/parameters/ChildName"}
    post:
      operationId: forceEmpty
      summary: Reclaim everything reclaimable in the subtree (refused on root).
      responses:
        "200":
          description: The statistics after reclaim, with what was evicted.
          content:
            application/json:
              schema:
                allOf:
                  - {$ref: "#/components/schemas/ContainerStats"}
                  - type: object
                    required: [evicted]
                    properties:
                      evicted: {$ref: "#/components/schemas/EvictedList"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "413": {$ref: "#/components/responses/TooLarge"}
  /containers/{name}/reclaim:
    parameters:
      - {$ref: "#/components/parameters/Name"}
    post:
      operationId: reclaim
      summary: Proactive reclaim (memory.reclaim; cgroup v2 only, EOPNOTSUPP on v1).
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              required: [bytes]
              properties:
                bytes:
                  description: Bytes or a size string with one of K/M/G/T, rounded down to pages.
                  oneOf:
                    - {type: integer, minimum: 0, maximum: 9223372036854775807}
                    - {type: string, pattern: "^([0-9]{1,18}|[0-9]{1,15}[Kk]|[0-9]{1,12}[Mm]|[0-9]{1,9}[Gg]|[0-9]{1,6}[Tt])$"}
                list_evicted: {type: boolean}
      responses:
        "200":
          description: What was asked for and what reclaim got, in bytes.
          content:
            application/json:
              schema:
                type: object
                additionalProperties: false
                required: [requested, reclaimed, complete, evicted]
                properties:
                  requested: {$ref: "#/components/schemas/Bytes"}
                  reclaimed: {$ref: "#/components/schemas/Bytes"}
                  complete: {type: boolean}
                  evicted: {$ref: "#/components/schemas/Evicted"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "413": {$ref: "#/components/responses/TooLarge"}
  /processes:
    get:
      operationId: listProcesses
      summary: All processes, by pid.
      responses:
        "200":
          description: The processes.
          content:
            application/json:
              schema:
                type: object
                required: [processes]
                properties:
                  processes:
                    type: array
                    items: {$ref: "#/components/schemas/Process"}
        "401": {$ref: "#/components/responses/Unauthorized"}
    post:
      operationId: createProcess
      summary: Register a process in a container, or fork one (parent_pid).
      requestBody:
        required: true
        content:
          application/json:
            schema:
              oneOf:
                - type: object
                  additionalProperties: false
                  required: [pid, container]
                  properties:
                    pid: {$ref: "#/components/schemas/Pid"}
                    container: {$ref: "#/components/schemas/Name"}
                - type: object
                  additionalProperties: false
                  required: [pid, parent_pid]
                  properties:
                    pid: {$ref: "#/components/schemas/Pid"}
                    parent_pid: {$ref: "#/components/schemas/Pid"}
      responses:
        "201":
          description: Created.
          headers:
            Location:
              schema: {type: string}
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Process"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
        "413": {$ref: "#/components/responses/TooLarge"}
  /processes/{pid}:
    parameters:
      - {$ref: "#/components/parameters/Pid"}
    get:
      operationId: getProcess
      summary: One process.
      responses:
        "200":
          description: The process.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Process"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
    delete:
      operationId: exitProcess
      summary: The process exits; its mappings go.
      responses:
        "204": {description: Exited.}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
  /processes/{pid}/container:
    parameters:
      - {$ref: "#/components/parameters/Pid"}
    put:
      operationId: moveProcess
      summary: >-
        Move a process; future charges go to the new container. On cgroup v1,
        move_charge (1 anon, 2 file) moves its pages' charges too, all or
        nothing (ENOMEM with the evictions when they do not fit); a non-zero
        mask is EOPNOTSUPP on v2.
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              required: [container]
              properties:
                container: {$ref: "#/components/schemas/Name"}
                move_charge:
                  description: >-
                    The v1 move_charge_at_immigrate mask. This schema describes the
                    default interface, cgroup v2, where only 0 is allowed; on v1
                    1 (anon), 2 (file) and 3 are allowed too.
                  type: integer
                  minimum: 0
                  maximum: 0
      responses:
        "200":
          description: The process, the pages that moved with it and what their charges evicted.
          content:
            application/json:
              schema:
                allOf:
                  - {$ref: "#/components/schemas/Process"}
                  - type: object
                    required: [moved, evicted]
                    properties:
                      moved: {$ref: "#/components/schemas/EvictedList"}
                      evicted: {$ref: "#/components/schemas/EvictedList"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
        "413": {$ref: "#/components/responses/TooLarge"}
  /events:
    post:
      operationId: postEvents
      summary: Apply a batch of page events in order.
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              required: [events]
              properties:
                events:
                  type: array
                  items: {$ref: "#/components/schemas/PageEvent"}
                list_evicted: {type: boolean}
      responses:
        "200":
          description: What happened, single-page events counted.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/BatchResult"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "413": {$ref: "#/components/responses/TooLarge"}
  /stats:
    get:
      operationId: getEngineStats
      summary: Engine-wide counters.
      responses:
        "200":
          description: The counters.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/EngineStats"}
        "401": {$ref: "#/components/responses/Unauthorized"}
  /snapshot:
    post:
      operationId: takeSnapshot
      summary: "With --data-dir: write a snapshot of the whole state now (atomically; older journal segments and snapshots are then removed, the newest two snapshots kept). Requests keep being served while it is written."
      responses:
        "200":
          description: The snapshot written.
          content:
            application/json:
              schema:
                type: object
                additionalProperties: false
                required: [file, seq, bytes, copy_ms, write_ms]
                properties:
                  file: {type: string, description: "File name in the data directory."}
                  seq: {type: integer, minimum: 0, description: "Sequence number of the last journal record the snapshot covers."}
                  bytes: {type: integer, minimum: 0}
                  copy_ms: {type: integer, minimum: 0, description: "Time the state was copied under the shared lock."}
                  write_ms: {type: integer, minimum: 0, description: "Time to write and fsync it, outside the lock."}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "409": {$ref: "#/components/responses/Conflict"}
        "500": {$ref: "#/components/responses/ServerError"}
  /journal:
    get:
      operationId: getJournal
      summary: "With --data-dir: the journal records after sequence number `from`, as JSON lines (one command per line, in apply order), to record a session and replay it elsewhere."
      parameters:
        - {name: from, in: query, required: false, schema: {type: integer, minimum: 0, maximum: 9223372036854775807, default: 0}, description: "Records with a larger sequence number are returned."}
        - {name: limit, in: query, required: false, schema: {type: integer, minimum: 1, maximum: 100000, default: 10000}}
      responses:
        "200":
          description: "One JSON object per line: seq, command (the engine command's name, or reset), and the command's fields (page events as POST /events takes them; controls in pages, null for unlimited)."
          content:
            application/x-ndjson:
              schema: {type: string}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "409": {$ref: "#/components/responses/Conflict"}
        "410":
          description: "Record from+1 is no longer in the journal (a snapshot covers it)."
          content:
            application/problem+json:
              schema: {$ref: "#/components/schemas/Problem"}
        "500": {$ref: "#/components/responses/ServerError"}
  /metrics:
    get:
      operationId: metrics
      summary: Prometheus text format 0.0.4.
      security: [{}]
      responses:
        "200":
          description: The exposition.
          content:
            text/plain:
              schema: {type: string}
  /workloads:
    get:
      operationId: listWorkloads
      summary: The live workloads, playing and ended (the 32 most recent).
      responses:
        "200":
          description: The workloads, oldest first.
          content:
            application/json:
              schema:
                type: object
                required: [workloads]
                properties:
                  workloads:
                    type: array
                    items: {$ref: "#/components/schemas/Workload"}
        "401": {$ref: "#/components/responses/Unauthorized"}
    post:
      operationId: startWorkload
      summary: >-
        Start playing a workload spec (docs/workloads.md) into this service's
        engine, paced to wall time. Its containers and pids must not exist
        (409 EEXIST); at most 4 play at once (409 EBUSY); the service's
        machine is used, the spec's machine is ignored.
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/WorkloadSpec"}
          application/yaml:
            schema:
              type: string
              description: The same spec in YAML, `speed` a top-level key.
      responses:
        "201":
          description: Started.
          headers:
            Location:
              schema: {type: string}
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Workload"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "409": {$ref: "#/components/responses/Conflict"}
        "413": {$ref: "#/components/responses/TooLarge"}
  /workloads/{id}:
    parameters:
      - name: id
        in: path
        required: true
        schema: {type: integer, minimum: 1, maximum: 999999999}
    get:
      operationId: getWorkload
      summary: One workload's progress.
      responses:
        "200":
          description: The workload.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Workload"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
    delete:
      operationId: stopWorkload
      summary: >-
        Stop it after its current batch (its containers and processes stay as
        they are); an ended workload is answered as it is.
      responses:
        "200":
          description: The workload, stopped.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Workload"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
  /openapi.yaml:
    get:
      operationId: openapi
      summary: This document.
      security: [{}]
      responses:
        "200":
          description: The spec.
          content:
            application/yaml: {}
components:
  securitySchemes:
    bearer:
      type: http
      scheme: bearer
  parameters:
    Name:
      name: name
      in: path
      required: true
      schema: {$ref: "#/components/schemas/Name"}
    ChildName:
      name: name
      in: path
      required: true
      schema: {$ref: "#/components/schemas/ChildName"}
    Pid:
      name: pid
      in: path
      required: true
      schema: {$ref: "#/components/schemas/Pid"}
  responses:
    BadRequest:
      description: Malformed body, bad value or bad name (EINVAL), or a control the interface lacks (EOPNOTSUPP).
      content:
        application/problem+json:
          schema: {$ref: "#/components/schemas/Problem"}
    Unauthorized:
      description: Missing or wrong bearer token (EACCES).
      content:
        application/problem+json:
          schema: {$ref: "#/components/schemas/Problem"}
    NotFound:
      description: Unknown container (ENOENT) or process (ESRCH).
      content:
        application/problem+json:
          schema: {$ref: "#/components/schemas/Problem"}
    Conflict:
      description: Exists (EEXIST), busy (EBUSY) or a move_charge that does not fit (ENOMEM).
      content:
        application/problem+json:
          schema: {$ref: "#/components/schemas/Problem"}
    TooLarge:
      description: Body over the size limit (E2BIG).
      content:
        application/problem+json:
          schema: {$ref: "#/components/schemas/Problem"}
    ServerError:
      description: "The data directory could not be read or written (the detail says why)."
      content:
        application/problem+json:
          schema: {$ref: "#/components/schemas/Problem"}
  schemas:
    Name:
      description: 1 to 64 of [A-Za-z0-9._-], neither "." nor containing "..".
      type: string
      pattern: "^[A-Za-z0-9._-]{1,64}$"
      not:
        anyOf:
          - {pattern: "\\.\\."}
          - {const: "."}
    Pid:
      type: integer
      minimum: 1
      maximum: 2147483647
    EventPid:
      description: The process the event is done by; an unknown pid fails that event (ESRCH), not the batch.
      type: integer
      minimum: 1
      maximum: 9223372036854775807
    ChildName:
      description: A container other than root (the root cannot be deleted, changed or emptied, and has no controls).
      allOf:
        - {$ref: "#/components/schemas/Name"}
        - not: {const: root}
    Bytes:
      type: integer
      minimum: 0
    LimitBytes:
      description: Bytes, rounded down to whole pages; null is unlimited.
      oneOf:
        - {type: integer, minimum: 0}
        - {type: "null"}
    LimitValue:
      description: Bytes, a size string with one of K/M/G/T, "max", -1 or null (unlimited).
      oneOf:
        - {type: integer, minimum: -1, maximum: 9223372036854775807}
        - description: A size string short enough that its bytes fit in a signed 64-bit integer.
          type: string
          pattern: "^([0-9]{1,18}|[0-9]{1,15}[Kk]|[0-9]{1,12}[Mm]|[0-9]{1,9}[Gg]|[0-9]{1,6}[Tt]|max|-1)$"
        - {type: "null"}
    LimitsInput:
      description: >-
        Controls to set (high, low, min and swap_max exist on cgroup v2 only;
        on v1 they are EOPNOTSUPP). For low and min, unlimited means protect
        everything.
      type: object
      additionalProperties: false
      properties:
        max: {$ref: "#/components/schemas/LimitValue"}
        high: {$ref: "#/components/schemas/LimitValue"}
        low: {$ref: "#/components/schemas/LimitValue"}
        min: {$ref: "#/components/schemas/LimitValue"}
        swap_max: {$ref: "#/components/schemas/LimitValue"}
    Limits:
      description: The controls of the interface as stored; v1 has max only.
      type: object
      additionalProperties: false
      required: [max]
      properties:
        max: {$ref: "#/components/schemas/LimitBytes"}
        high: {$ref: "#/components/schemas/LimitBytes"}
        low: {$ref: "#/components/schemas/LimitBytes"}
        min: {$ref: "#/components/schemas/LimitBytes"}
        swap_max: {$ref: "#/components/schemas/LimitBytes"}
    Machine:
      type: object
      required: [page_size, memory_bytes, swap_bytes, total_pages, free_pages, swap_free_bytes, cgroup, lru, swappiness, version]
      properties:
        page_size: {type: integer}
        memory_bytes: {type: integer}
        swap_bytes: {type: integer}
        total_pages: {type: integer}
        free_pages: {type: integer}
        swap_free_bytes: {type: integer}
        cgroup: {enum: [v1, v2]}
        lru:
          enum: [seed, split]
          description: "Reclaim lists: seed (one active/inactive pair per container) or split (anon and file LRUs, divided by swappiness). Default split with v2, seed with v1."
        swappiness:
          type: integer
          minimum: 0
          maximum: 200
          description: With lru split, the weight of anonymous pages against file pages (200 - swappiness) in each reclaim visit (vm.swappiness).
        version: {type: string}
    Container:
      type: object
      required: [name, parent, path, children, charge_type, labels, oom_group, limits, usage, max_usage, failcnt, processes]
      properties:
        name: {type: string}
        parent: {type: ["string", "null"]}
        path: {type: string}
        children: {type: array, items: {type: string}}
        charge_type: {enum: [all, mapped]}
        labels: {$ref: "#/components/schemas/Labels"}
        oom_group: {type: boolean}
        limits: {$ref: "#/components/schemas/Limits"}
        usage: {$ref: "#/components/schemas/Bytes"}
        max_usage: {$ref: "#/components/schemas/Bytes"}
        failcnt: {type: integer, minimum: 0}
        processes: {type: integer, minimum: 0}
    Labels:
      description: |
        Free-form labels set at creation and shown as given. With
        --metrics-compat cadvisor, the cAdvisor series carry namespace, pod,
        container and image from the labels of those names (or from
        io.kubernetes.pod.namespace, io.kubernetes.pod.name,
        io.kubernetes.container.name). Values have no control characters.
      type: object
      maxProperties: 64
      propertyNames: {pattern: "^[A-Za-z0-9._/-]{1,128}$"}
      additionalProperties: {type: string, maxLength: 256, pattern: "^[^\\x00-\\x1F\\x7F]*$"}
    History:
      type: object
      required: [name, interval_seconds, capacity, sampled, samples]
      properties:
        name: {type: string}
        interval_seconds: {type: integer}
        capacity: {type: integer}
        sampled:
          type: boolean
          description: False when the container is not sampled (more than 2048 containers).
        samples:
          type: array
          maxItems: 600
          items:
            type: object
            required: [time_ms, usage, working_set]
            properties:
              time_ms: {type: integer, description: Unix time in milliseconds.}
              usage: {$ref: "#/components/schemas/Bytes"}
              working_set: {$ref: "#/components/schemas/Bytes"}
    StatValues:
      type: object
      required: [cache, rss, shmem, mapped_file, swap, active_anon, inactive_anon, active_file, inactive_file,
                 unevictable, pgpgin, pgpgout, pgfault, pgsteal, pgscan, swap_peak]
      properties:
        cache: {$ref: "#/components/schemas/Bytes"}
        rss: {$ref: "#/components/schemas/Bytes"}
        shmem: {$ref: "#/components/schemas/Bytes"}
        mapped_file: {$ref: "#/components/schemas/Bytes"}
        swap: {$ref: "#/components/schemas/Bytes"}
        active_anon: {$ref: "#/components/schemas/Bytes"}
        inactive_anon: {$ref: "#/components/schemas/Bytes"}
        active_file: {$ref: "#/components/schemas/Bytes"}
        inactive_file: {$ref: "#/components/schemas/Bytes"}
        unevictable: {$ref: "#/components/schemas/Bytes"}
        pgpgin: {type: integer, minimum: 0}
        pgpgout: {type: integer, minimum: 0}
        pgfault: {type: integer, minimum: 0}
        pgsteal: {type: integer, minimum: 0}
        pgscan: {type: integer, minimum: 0}
        swap_peak:
          description: Highest swap held by the subtree (hierarchical, the same in stat and total_stat).
          allOf: [{$ref: "#/components/schemas/Bytes"}]
    EventCounts:
      type: object
      required: [max, oom, oom_kill, low, high, oom_group_kill]
      properties:
        max: {type: integer, minimum: 0}
        oom: {type: integer, minimum: 0}
        oom_kill: {type: integer, minimum: 0}
        low: {type: integer, minimum: 0}
        high: {type: integer, minimum: 0}
        oom_group_kill: {type: integer, minimum: 0}
    ContainerStats:
      type: object
      required: [name, usage, limit, max_usage, failcnt, working_set, hierarchical_memory_limit, swap_peak, stat,
                 total_stat, events, total_events]
      properties:
        name: {type: string}
        usage: {$ref: "#/components/schemas/Bytes"}
        limit: {$ref: "#/components/schemas/LimitBytes"}
        max_usage: {$ref: "#/components/schemas/Bytes"}
        failcnt: {type: integer, minimum: 0}
        working_set: {$ref: "#/components/schemas/Bytes"}
        hierarchical_memory_limit: {$ref: "#/components/schemas/LimitBytes"}
        swap_peak: {$ref: "#/components/schemas/Bytes"}
        stat: {$ref: "#/components/schemas/StatValues"}
        total_stat: {$ref: "#/components/schemas/StatValues"}
        events: {$ref: "#/components/schemas/EventCounts"}
        total_events: {$ref: "#/components/schemas/EventCounts"}
        evicted: {$ref: "#/components/schemas/EvictedList"}
    EvictedList:
      type: object
      required: [count, pages]
      properties:
        count: {type: integer, minimum: 0}
        pages: {type: array, items: {type: integer, minimum: 0}}
    Process:
      type: object
      required: [pid, container, mapped_pages, mapped_bytes, mappings, pinned_pages, swap_slots]
      properties:
        pid: {$ref: "#/components/schemas/Pid"}
        container: {type: string}
        mapped_pages: {type: integer, minimum: 0}
        mapped_bytes: {$ref: "#/components/schemas/Bytes"}
        mappings: {type: integer, minimum: 0}
        pinned_pages: {type: integer, minimum: 0}
        swap_slots: {type: integer, minimum: 0}
    PageEvent:
      description: |
        One event on a page, a range (page + count) or a list (pages). pid is
        required for events a process does; old_page goes with cow and
        migrate, and optionally with swapin/swapoff; shmem with pagecache_add.
        A count above the machine's frames is refused. These events also take
        a pages list with an old_pages list exactly as long (cow, migrate,
        swapin, swapoff); JSON Schema cannot state equal lengths, so those
        forms are described here only, and a different length is refused whole.
      oneOf:
        - description: events a process does, a page or a range
          type: object
          additionalProperties: false
          required: [op, pid, page]
          properties:
            op: {enum: [anon_fault, file_fault, insert_page, unmap, mlock, munlock, swap_free]}
            pid: {$ref: "#/components/schemas/EventPid"}
            page: {$ref: "#/components/schemas/PageNumber"}
            count: {$ref: "#/components/schemas/PageCount"}
        - description: events a process does, a list of pages
          type: object
          additionalProperties: false
          required: [op, pid, pages]
          properties:
            op: {enum: [anon_fault, file_fault, insert_page, unmap, mlock, munlock, swap_free]}
            pid: {$ref: "#/components/schemas/EventPid"}
            pages: {type: array, items: {$ref: "#/components/schemas/PageNumber"}}
        - description: swap reads, optionally naming the slot, a page or a range
          type: object
          additionalProperties: false
          required: [op, pid, page]
          properties:
            op: {enum: [swapin, swapoff]}
            pid: {$ref: "#/components/schemas/EventPid"}
            page: {$ref: "#/components/schemas/PageNumber"}
            count: {$ref: "#/components/schemas/PageCount"}
            old_page: {$ref: "#/components/schemas/PageNumber"}
        - description: swap reads, optionally naming the slot, a list of pages
          type: object
          additionalProperties: false
          required: [op, pid, pages]
          properties:
            op: {enum: [swapin, swapoff]}
            pid: {$ref: "#/components/schemas/EventPid"}
            pages: {type: array, items: {$ref: "#/components/schemas/PageNumber"}}
        - description: copy on write, a page or a range
          type: object
          additionalProperties: false
          required: [op, pid, page, old_page]
          properties:
            op: {enum: [cow]}
            pid: {$ref: "#/components/schemas/EventPid"}
            page: {$ref: "#/components/schemas/PageNumber"}
            count: {$ref: "#/components/schemas/PageCount"}
            old_page: {$ref: "#/components/schemas/PageNumber"}
        - description: migration, a page or a range
          type: object
          additionalProperties: false
          required: [op, page, old_page]
          properties:
            op: {enum: [migrate]}
            pid: {$ref: "#/components/schemas/EventPid"}
            page: {$ref: "#/components/schemas/PageNumber"}
            count: {$ref: "#/components/schemas/PageCount"}
            old_page: {$ref: "#/components/schemas/PageNumber"}
        - description: cache and LRU events, a page or a range
          type: object
          additionalProperties: false
          required: [op, page]
          properties:
            op: {enum: [pagecache_remove, swapcache_add, swapcache_remove, free, access]}
            pid: {$ref: "#/components/schemas/EventPid"}
            page: {$ref: "#/components/schemas/PageNumber"}
            count: {$ref: "#/components/schemas/PageCount"}
        - description: cache and LRU events, a list of pages
          type: object
          additionalProperties: false
          required: [op, pages]
          properties:
            op: {enum: [pagecache_remove, swapcache_add, swapcache_remove, free, access]}
            pid: {$ref: "#/components/schemas/EventPid"}
            pages: {type: array, items: {$ref: "#/components/schemas/PageNumber"}}
        - description: page-cache insertion, a page or a range
          type: object
          additionalProperties: false
          required: [op, page]
          properties:
            op: {enum: [pagecache_add]}
            pid: {$ref: "#/components/schemas/EventPid"}
            page: {$ref: "#/components/schemas/PageNumber"}
            count: {$ref: "#/components/schemas/PageCount"}
            shmem: {type: boolean}
        - description: page-cache insertion, a list of pages
          type: object
          additionalProperties: false
          required: [op, pages]
          properties:
            op: {enum: [pagecache_add]}
            pid: {$ref: "#/components/schemas/EventPid"}
            pages: {type: array, items: {$ref: "#/components/schemas/PageNumber"}}
            shmem: {type: boolean}
    PageNumber:
      description: >-
        A page frame number; one outside the machine fails that event
        (EINVAL), not the batch. A range whose end (page + count) does not fit
        in a signed 64-bit integer is refused whole (400); JSON Schema cannot
        state that sum.
      type: integer
      minimum: 0
      maximum: 9223372036854775807
    PageCount:
      description: >-
        Pages in a range, at most the machine's number of frames (the copy
        served at GET /openapi.yaml states this machine's number; this file
        states the largest machine, 2^31 frames).
      type: integer
      minimum: 0
      maximum: 2147483648
    BatchResult:
      type: object
      required: [applied, failed, errors, oom_kills, evicted]
      properties:
        applied: {type: integer, minimum: 0}
        failed: {type: integer, minimum: 0}
        errors:
          description: >-
            Runs of failed single-page events: each entry covers `count` pages
            of event `index` from `page` on, consecutive both in the event and
            in page number, that failed with the same code (and container).
          type: array
          items:
            type: object
            required: [index, page, count, code]
            properties:
              index: {type: integer, minimum: 0}
              page: {type: integer, minimum: 0}
              count: {type: integer, minimum: 1}
              code: {enum: [ENOMEM, ESRCH, EINVAL, EBUSY]}
              container: {type: string}
        oom_kills: {$ref: "#/components/schemas/OOMKills"}
        evicted: {$ref: "#/components/schemas/Evicted"}
    OOMKills:
      type: array
      items:
        type: object
        required: [pid, container, pages]
        properties:
          pid: {$ref: "#/components/schemas/Pid"}
          container: {type: string}
          pages: {type: integer, minimum: 0}
    Evicted:
      description: Pages evicted; the list only when asked for with list_evicted.
      type: object
      required: [count]
      properties:
        count: {type: integer, minimum: 0}
        pages: {type: array, items: {type: integer, minimum: 0}}
    EngineStats:
      type: object
      required: [charged_pages, free_pages, swap_used_bytes, swap_free_bytes, containers, processes, charges,
                 uncharges, evictions, oom_kills, anomalies, unbalanced_uncharges, event_batches, events_applied, events]
      properties:
        charged_pages: {type: integer}
        free_pages: {type: integer}
        swap_used_bytes: {type: integer}
        swap_free_bytes: {type: integer}
        containers: {type: integer}
        processes: {type: integer}
        charges: {type: integer}
        uncharges: {type: integer}
        evictions: {type: integer}
        oom_kills: {type: integer}
        anomalies: {type: integer}
        unbalanced_uncharges: {type: integer}
        event_batches: {type: integer}
        events_applied: {type: integer}
        events:
          type: object
          additionalProperties:
            type: object
            additionalProperties: {type: integer}
    WorkloadSpec:
      description: >-
        A workload spec (docs/workloads.md): containers and processes in
        phases of virtual time, plus the live player's `speed`. Cross
        references (a process's container, fork_of) and amounts are checked
        by the server, which names the field it refuses.
      type: object
      additionalProperties: false
      required: [containers]
      properties:
        speed:
          description: Virtual seconds per wall second (default 1).
          type: number
          exclusiveMinimum: 0
          maximum: 1000000
        seed: {type: integer, minimum: 0}
        name: {type: string, maxLength: 100}
        comment: {type: string}
        tick: {type: [number, string]}
        machine: {type: object}
        containers:
          type: array
          minItems: 1
          items: {type: object}
        processes:
          type: array
          items: {type: object}
    Workload:
      type: object
      required: [id, name, state, speed, virtual_seconds, duration_seconds, lag_seconds, wall_seconds,
                 records_applied, records_skipped, pages, oom_kills, containers, error]
      properties:
        id: {type: integer}
        name: {type: [string, "null"]}
        state: {enum: [running, finished, stopped, failed]}
        speed: {type: number}
        virtual_seconds: {type: number, description: Virtual time played so far.}
        duration_seconds: {type: number}
        lag_seconds: {type: number, description: "How far the player is behind its clock (0 when it keeps up)."}
        wall_seconds: {type: number}
        records_applied: {type: integer}
        records_skipped: {type: integer, description: Records of processes the OOM killer had killed.}
        pages: {type: integer}
        oom_kills: {type: integer}
        containers:
          type: array
          items: {type: string}
        error: {type: [string, "null"]}
    Problem:
      type: object
      required: [type, title, status, code, detail]
      properties:
        type: {type: string}
        title: {type: string}
        status: {type: integer}
        code: {type: string}
        detail: {type: string}
        evicted: {$ref: "#/components/schemas/EvictedList"}
"""#
}
