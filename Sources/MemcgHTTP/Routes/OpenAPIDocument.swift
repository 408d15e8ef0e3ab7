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
    parameters:
      - {$ref: "#/components/parameters/Name"}
    get:
      operationId: getContainer
      summary: One container.
      responses:
        "200":
          description: The container.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Container"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
    delete:
      operationId: deleteContainer
      summary: Delete a container; its charges move to the parent.
      responses:
        "204": {description: Deleted.}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
  /containers/{name}/limits:
    parameters:
      - {$ref: "#/components/parameters/Name"}
    get:
      operationId: getLimits
      summary: The modelled limits (unlimited is null).
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
      summary: Set max. Lowering it below usage reclaims; EBUSY keeps the old limit.
      requestBody:
        required: true
        content:
          application/json:
            schema:
              allOf:
                - {$ref: "#/components/schemas/LimitsInput"}
                - required: [max]
      responses:
        "200":
          description: The limits as stored and what the lowering evicted.
          content:
            application/json:
              schema:
                type: object
                required: [max, evicted]
                properties:
                  max: {$ref: "#/components/schemas/LimitBytes"}
                  evicted: {$ref: "#/components/schemas/EvictedList"}
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
      - {$ref: "#/components/parameters/Name"}
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
      summary: Move a process; future charges go to the new container.
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
      responses:
        "200":
          description: The process.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Process"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
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
    Pid:
      name: pid
      in: path
      required: true
      schema: {$ref: "#/components/schemas/Pid"}
  responses:
    BadRequest:
      description: Malformed body, bad value or bad name (EINVAL), or a limit not modelled yet (EOPNOTSUPP).
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
      description: Exists (EEXIST) or busy (EBUSY).
      content:
        application/problem+json:
          schema: {$ref: "#/components/schemas/Problem"}
    TooLarge:
      description: Body over the size limit (E2BIG).
      content:
        application/problem+json:
          schema: {$ref: "#/components/schemas/Problem"}
  schemas:
    Name:
      type: string
      pattern: "^[A-Za-z0-9._-]{1,64}$"
      not: {pattern: "\\.\\."}
    Pid:
      type: integer
      minimum: 1
      maximum: 2147483647
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
        - {type: integer, minimum: -1}
        - {type: string, pattern: "^([0-9]{1,19}[KkMmGgTt]?|max|-1)$"}
        - {type: "null"}
    LimitsInput:
      type: object
      additionalProperties: false
      properties:
        max: {$ref: "#/components/schemas/LimitValue"}
    Limits:
      type: object
      required: [max]
      properties:
        max: {$ref: "#/components/schemas/LimitBytes"}
    Machine:
      type: object
      required: [page_size, memory_bytes, swap_bytes, total_pages, free_pages, swap_free_bytes, version]
      properties:
        page_size: {type: integer}
        memory_bytes: {type: integer}
        swap_bytes: {type: integer}
        total_pages: {type: integer}
        free_pages: {type: integer}
        swap_free_bytes: {type: integer}
        version: {type: string}
    Container:
      type: object
      required: [name, parent, path, children, charge_type, labels, limits, usage, max_usage, failcnt, processes]
      properties:
        name: {type: string}
        parent: {type: ["string", "null"]}
        path: {type: string}
        children: {type: array, items: {type: string}}
        charge_type: {enum: [all, mapped]}
        labels: {$ref: "#/components/schemas/Labels"}
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
      additionalProperties: {type: string, maxLength: 256}
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
                 unevictable, pgpgin, pgpgout, pgfault, pgsteal]
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
    EventCounts:
      type: object
      required: [max, oom, oom_kill]
      properties:
        max: {type: integer, minimum: 0}
        oom: {type: integer, minimum: 0}
        oom_kill: {type: integer, minimum: 0}
    ContainerStats:
      type: object
      required: [name, usage, limit, max_usage, failcnt, working_set, hierarchical_memory_limit, stat, total_stat,
                 events, total_events]
      properties:
        name: {type: string}
        usage: {$ref: "#/components/schemas/Bytes"}
        limit: {$ref: "#/components/schemas/LimitBytes"}
        max_usage: {$ref: "#/components/schemas/Bytes"}
        failcnt: {type: integer, minimum: 0}
        working_set: {$ref: "#/components/schemas/Bytes"}
        hierarchical_memory_limit: {$ref: "#/components/schemas/LimitBytes"}
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
        required for events a process does; old_page goes with cow and migrate
        (and optionally swapin/swapoff); shmem with pagecache_add.
      type: object
      additionalProperties: false
      required: [op]
      properties:
        op:
          enum: [anon_fault, cow, file_fault, swapin, swapoff, insert_page, pagecache_add, pagecache_remove,
                 swapcache_add, swapcache_remove, swap_free, unmap, migrate, free, access, mlock, munlock]
        pid: {$ref: "#/components/schemas/Pid"}
        page: {type: integer, minimum: 0}
        count: {type: integer, minimum: 0}
        pages: {type: array, items: {type: integer, minimum: 0}}
        old_page: {type: integer, minimum: 0}
        old_pages: {type: array, items: {type: integer, minimum: 0}}
        shmem: {type: boolean}
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
        oom_kills:
          type: array
          items:
            type: object
            required: [pid, container, pages]
            properties:
              pid: {$ref: "#/components/schemas/Pid"}
              container: {type: string}
              pages: {type: integer, minimum: 0}
        evicted:
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
