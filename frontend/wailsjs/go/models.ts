export namespace buildinfo {
	
	export class Info {
	    version: string;
	    commit: string;
	    goVersion: string;
	    os: string;
	    arch: string;
	
	    static createFrom(source: any = {}) {
	        return new Info(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.version = source["version"];
	        this.commit = source["commit"];
	        this.goVersion = source["goVersion"];
	        this.os = source["os"];
	        this.arch = source["arch"];
	    }
	}

}

export namespace clients {
	
	export class Capabilities {
	    servers: boolean;
	    rules: boolean;
	    permissions: boolean;
	    projectScope: boolean;
	    transports: string[];
	    envSyntax: string;
	    lossy: string[];
	
	    static createFrom(source: any = {}) {
	        return new Capabilities(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.servers = source["servers"];
	        this.rules = source["rules"];
	        this.permissions = source["permissions"];
	        this.projectScope = source["projectScope"];
	        this.transports = source["transports"];
	        this.envSyntax = source["envSyntax"];
	        this.lossy = source["lossy"];
	    }
	}

}

export namespace engine {
	
	export class ClientResult {
	    state: string;
	    servers: number;
	    rules: number;
	    permissions: number;
	    written: number;
	    warnings?: string[];
	    errors?: string[];
	
	    static createFrom(source: any = {}) {
	        return new ClientResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.state = source["state"];
	        this.servers = source["servers"];
	        this.rules = source["rules"];
	        this.permissions = source["permissions"];
	        this.written = source["written"];
	        this.warnings = source["warnings"];
	        this.errors = source["errors"];
	    }
	}
	export class Result {
	    syncEventId: string;
	    status: string;
	    trigger: string;
	    clients: {[key: string]: ClientResult};
	    filesWritten: number;
	    snapshots: number;
	    snapshotIds?: string[];
	    conflicts: number;
	    errors?: string[];
	    durationMs: number;
	
	    static createFrom(source: any = {}) {
	        return new Result(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.syncEventId = source["syncEventId"];
	        this.status = source["status"];
	        this.trigger = source["trigger"];
	        this.clients = source["clients"];
	        this.filesWritten = source["filesWritten"];
	        this.snapshots = source["snapshots"];
	        this.snapshotIds = source["snapshotIds"];
	        this.conflicts = source["conflicts"];
	        this.errors = source["errors"];
	        this.durationMs = source["durationMs"];
	    }
	}
	export class FileDiff {
	    client: string;
	    path: string;
	    action: string;
	    lines: merge.DiffLine[];
	
	    static createFrom(source: any = {}) {
	        return new FileDiff(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.client = source["client"];
	        this.path = source["path"];
	        this.action = source["action"];
	        this.lines = this.convertValues(source["lines"], merge.DiffLine);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ApplyResult {
	    snapshotId: string;
	    scope: string;
	    dryRun: boolean;
	    diffs: FileDiff[];
	    warnings?: string[];
	    sync?: Result;
	
	    static createFrom(source: any = {}) {
	        return new ApplyResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.snapshotId = source["snapshotId"];
	        this.scope = source["scope"];
	        this.dryRun = source["dryRun"];
	        this.diffs = this.convertValues(source["diffs"], FileDiff);
	        this.warnings = source["warnings"];
	        this.sync = this.convertValues(source["sync"], Result);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ClientStatus {
	    clientId: string;
	    state: string;
	    // Go type: time
	    lastSync: any;
	    lastError?: string;
	    warnings?: string[];
	    servers: number;
	    rules: number;
	    permissions: number;
	
	    static createFrom(source: any = {}) {
	        return new ClientStatus(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.clientId = source["clientId"];
	        this.state = source["state"];
	        this.lastSync = this.convertValues(source["lastSync"], null);
	        this.lastError = source["lastError"];
	        this.warnings = source["warnings"];
	        this.servers = source["servers"];
	        this.rules = source["rules"];
	        this.permissions = source["permissions"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Counts {
	    runsSucceeded: number;
	    runsFailed: number;
	    retries: number;
	    failures: number;
	    conflicts: number;
	
	    static createFrom(source: any = {}) {
	        return new Counts(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.runsSucceeded = source["runsSucceeded"];
	        this.runsFailed = source["runsFailed"];
	        this.retries = source["retries"];
	        this.failures = source["failures"];
	        this.conflicts = source["conflicts"];
	    }
	}
	
	export class Resolution {
	    choice: string;
	    client?: string;
	    value?: number[];
	
	    static createFrom(source: any = {}) {
	        return new Resolution(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.choice = source["choice"];
	        this.client = source["client"];
	        this.value = source["value"];
	    }
	}

}

export namespace events {
	
	export class Event {
	    id: number;
	    type: string;
	    // Go type: time
	    time: any;
	    client?: string;
	    scope?: string;
	    message?: string;
	    data?: {[key: string]: any};
	
	    static createFrom(source: any = {}) {
	        return new Event(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.type = source["type"];
	        this.time = this.convertValues(source["time"], null);
	        this.client = source["client"];
	        this.scope = source["scope"];
	        this.message = source["message"];
	        this.data = source["data"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace main {
	
	export enum ConflictPolicy {
	    Priority = "priority",
	    Newest = "newest",
	    Merge = "merge",
	    Manual = "manual",
	}
	export class ExportInfo {
	    id: string;
	    kind: string;
	    format: string;
	    path: string;
	    filter?: number[];
	    rowCount: number;
	    bytes: number;
	    status: string;
	    // Go type: time
	    createdAt: any;
	    // Go type: time
	    finishedAt: any;
	    error?: string;
	
	    static createFrom(source: any = {}) {
	        return new ExportInfo(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.kind = source["kind"];
	        this.format = source["format"];
	        this.path = source["path"];
	        this.filter = source["filter"];
	        this.rowCount = source["rowCount"];
	        this.bytes = source["bytes"];
	        this.status = source["status"];
	        this.createdAt = this.convertValues(source["createdAt"], null);
	        this.finishedAt = this.convertValues(source["finishedAt"], null);
	        this.error = source["error"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class LogPage {
	    items: store.LogEntry[];
	    nextCursor?: string;
	
	    static createFrom(source: any = {}) {
	        return new LogPage(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.items = this.convertValues(source["items"], store.LogEntry);
	        this.nextCursor = source["nextCursor"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class SnapshotPage {
	    items: store.SnapshotMeta[];
	    nextCursor?: string;
	
	    static createFrom(source: any = {}) {
	        return new SnapshotPage(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.items = this.convertValues(source["items"], store.SnapshotMeta);
	        this.nextCursor = source["nextCursor"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace merge {
	
	export class Change {
	    section: string;
	    key: string;
	    op: string;
	    fields?: string[];
	
	    static createFrom(source: any = {}) {
	        return new Change(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.section = source["section"];
	        this.key = source["key"];
	        this.op = source["op"];
	        this.fields = source["fields"];
	    }
	}
	export class DiffLine {
	    op: number;
	    text: string;
	    oldLine?: number;
	    newLine?: number;
	    noNewline?: boolean;
	
	    static createFrom(source: any = {}) {
	        return new DiffLine(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.op = source["op"];
	        this.text = source["text"];
	        this.oldLine = source["oldLine"];
	        this.newLine = source["newLine"];
	        this.noNewline = source["noNewline"];
	    }
	}

}

export namespace service {
	
	export class EndpointInfo {
	    id: string;
	    scope: string;
	    path: string;
	    format: string;
	    sections: string[];
	    exists: boolean;
	
	    static createFrom(source: any = {}) {
	        return new EndpointInfo(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.scope = source["scope"];
	        this.path = source["path"];
	        this.format = source["format"];
	        this.sections = source["sections"];
	        this.exists = source["exists"];
	    }
	}
	export class ClientInfo {
	    id: string;
	    name: string;
	    detected: boolean;
	    enabled: boolean;
	    priority: number;
	    conflictPolicy?: string;
	    capabilities: clients.Capabilities;
	    endpoints: EndpointInfo[];
	    status: engine.ClientStatus;
	    version?: string;
	
	    static createFrom(source: any = {}) {
	        return new ClientInfo(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.detected = source["detected"];
	        this.enabled = source["enabled"];
	        this.priority = source["priority"];
	        this.conflictPolicy = source["conflictPolicy"];
	        this.capabilities = this.convertValues(source["capabilities"], clients.Capabilities);
	        this.endpoints = this.convertValues(source["endpoints"], EndpointInfo);
	        this.status = this.convertValues(source["status"], engine.ClientStatus);
	        this.version = source["version"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ClientPatch {
	    enabled?: boolean;
	    priority?: number;
	    conflictPolicy?: string;
	
	    static createFrom(source: any = {}) {
	        return new ClientPatch(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.enabled = source["enabled"];
	        this.priority = source["priority"];
	        this.conflictPolicy = source["conflictPolicy"];
	    }
	}
	
	export class LogFilter {
	    levels?: string[];
	    client?: string;
	    event?: string;
	    // Go type: time
	    since: any;
	    // Go type: time
	    until: any;
	    q?: string;
	    limit?: number;
	    cursor?: string;
	
	    static createFrom(source: any = {}) {
	        return new LogFilter(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.levels = source["levels"];
	        this.client = source["client"];
	        this.event = source["event"];
	        this.since = this.convertValues(source["since"], null);
	        this.until = this.convertValues(source["until"], null);
	        this.q = source["q"];
	        this.limit = source["limit"];
	        this.cursor = source["cursor"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class RunPoint {
	    // Go type: time
	    time: any;
	    durationMs: number;
	    status: string;
	    trigger: string;
	    clientId?: string;
	
	    static createFrom(source: any = {}) {
	        return new RunPoint(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.time = this.convertValues(source["time"], null);
	        this.durationMs = source["durationMs"];
	        this.status = source["status"];
	        this.trigger = source["trigger"];
	        this.clientId = source["clientId"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class SnapshotDiff {
	    from?: string;
	    to: string;
	    changes: merge.Change[];
	    jsonPatch: number[];
	    bodyPatches?: {[key: string]: string};
	    stored?: store.SnapshotDiff[];
	    before: unified.Config;
	    after: unified.Config;
	
	    static createFrom(source: any = {}) {
	        return new SnapshotDiff(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.from = source["from"];
	        this.to = source["to"];
	        this.changes = this.convertValues(source["changes"], merge.Change);
	        this.jsonPatch = source["jsonPatch"];
	        this.bodyPatches = source["bodyPatches"];
	        this.stored = this.convertValues(source["stored"], store.SnapshotDiff);
	        this.before = this.convertValues(source["before"], unified.Config);
	        this.after = this.convertValues(source["after"], unified.Config);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class SnapshotFilter {
	    scope?: string;
	    client?: string;
	    // Go type: time
	    since: any;
	    // Go type: time
	    until: any;
	    limit?: number;
	    cursor?: string;
	
	    static createFrom(source: any = {}) {
	        return new SnapshotFilter(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.scope = source["scope"];
	        this.client = source["client"];
	        this.since = this.convertValues(source["since"], null);
	        this.until = this.convertValues(source["until"], null);
	        this.limit = source["limit"];
	        this.cursor = source["cursor"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class SnapshotView {
	    id: string;
	    scope: string;
	    clientId?: string;
	    parentId?: string;
	    unifiedHash: string;
	    serverCount: number;
	    ruleCount: number;
	    permissionCount: number;
	    // Go type: time
	    createdAt: any;
	    createdBy: string;
	    config: unified.Config;
	
	    static createFrom(source: any = {}) {
	        return new SnapshotView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.scope = source["scope"];
	        this.clientId = source["clientId"];
	        this.parentId = source["parentId"];
	        this.unifiedHash = source["unifiedHash"];
	        this.serverCount = source["serverCount"];
	        this.ruleCount = source["ruleCount"];
	        this.permissionCount = source["permissionCount"];
	        this.createdAt = this.convertValues(source["createdAt"], null);
	        this.createdBy = source["createdBy"];
	        this.config = this.convertValues(source["config"], unified.Config);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Stats {
	    runs: RunPoint[];
	    successRate: number;
	    avgLatencyMs: number;
	    perClient: {[key: string]: number};
	    levels: {[key: string]: number};
	    retries: number;
	    failures: number;
	
	    static createFrom(source: any = {}) {
	        return new Stats(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.runs = this.convertValues(source["runs"], RunPoint);
	        this.successRate = source["successRate"];
	        this.avgLatencyMs = source["avgLatencyMs"];
	        this.perClient = source["perClient"];
	        this.levels = source["levels"];
	        this.retries = source["retries"];
	        this.failures = source["failures"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class StatusReport {
	    version: buildinfo.Info;
	    paused: boolean;
	    // Go type: time
	    lastSync: any;
	    pendingConflicts: number;
	    clients: engine.ClientStatus[];
	    counts: engine.Counts;
	    uptimeSeconds: number;
	    dataDir: string;
	
	    static createFrom(source: any = {}) {
	        return new StatusReport(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.version = this.convertValues(source["version"], buildinfo.Info);
	        this.paused = source["paused"];
	        this.lastSync = this.convertValues(source["lastSync"], null);
	        this.pendingConflicts = source["pendingConflicts"];
	        this.clients = this.convertValues(source["clients"], engine.ClientStatus);
	        this.counts = this.convertValues(source["counts"], engine.Counts);
	        this.uptimeSeconds = source["uptimeSeconds"];
	        this.dataDir = source["dataDir"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace store {
	
	export class ConflictSide {
	    client_id: string;
	    value: number[];
	    // Go type: time
	    mtime: any;
	
	    static createFrom(source: any = {}) {
	        return new ConflictSide(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.client_id = source["client_id"];
	        this.value = source["value"];
	        this.mtime = this.convertValues(source["mtime"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Conflict {
	    id: string;
	    scope: string;
	    itemKey: string;
	    kind: string;
	    status: string;
	    base?: number[];
	    sides: ConflictSide[];
	    resolution?: number[];
	    // Go type: time
	    createdAt: any;
	    // Go type: time
	    resolvedAt: any;
	    resolvedBy?: string;
	
	    static createFrom(source: any = {}) {
	        return new Conflict(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.scope = source["scope"];
	        this.itemKey = source["itemKey"];
	        this.kind = source["kind"];
	        this.status = source["status"];
	        this.base = source["base"];
	        this.sides = this.convertValues(source["sides"], ConflictSide);
	        this.resolution = source["resolution"];
	        this.createdAt = this.convertValues(source["createdAt"], null);
	        this.resolvedAt = this.convertValues(source["resolvedAt"], null);
	        this.resolvedBy = source["resolvedBy"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class LogEntry {
	    id: string;
	    syncEventId?: string;
	    clientId?: string;
	    event?: string;
	    level: string;
	    message: string;
	    context?: number[];
	    // Go type: time
	    timestamp: any;
	
	    static createFrom(source: any = {}) {
	        return new LogEntry(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.syncEventId = source["syncEventId"];
	        this.clientId = source["clientId"];
	        this.event = source["event"];
	        this.level = source["level"];
	        this.message = source["message"];
	        this.context = source["context"];
	        this.timestamp = this.convertValues(source["timestamp"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Project {
	    path: string;
	    // Go type: time
	    addedAt: any;
	
	    static createFrom(source: any = {}) {
	        return new Project(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.addedAt = this.convertValues(source["addedAt"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class SnapshotDiff {
	    id: string;
	    snapshotId: string;
	    diffPayload: number[];
	    diffFormat: string;
	    // Go type: time
	    createdAt: any;
	
	    static createFrom(source: any = {}) {
	        return new SnapshotDiff(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.snapshotId = source["snapshotId"];
	        this.diffPayload = source["diffPayload"];
	        this.diffFormat = source["diffFormat"];
	        this.createdAt = this.convertValues(source["createdAt"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class SnapshotMeta {
	    id: string;
	    scope: string;
	    clientId?: string;
	    parentId?: string;
	    unifiedHash: string;
	    serverCount: number;
	    ruleCount: number;
	    permissionCount: number;
	    // Go type: time
	    createdAt: any;
	    createdBy: string;
	
	    static createFrom(source: any = {}) {
	        return new SnapshotMeta(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.scope = source["scope"];
	        this.clientId = source["clientId"];
	        this.parentId = source["parentId"];
	        this.unifiedHash = source["unifiedHash"];
	        this.serverCount = source["serverCount"];
	        this.ruleCount = source["ruleCount"];
	        this.permissionCount = source["permissionCount"];
	        this.createdAt = this.convertValues(source["createdAt"], null);
	        this.createdBy = source["createdBy"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace unified {
	
	export class Permissions {
	    allow?: string[];
	    ask?: string[];
	    deny?: string[];
	
	    static createFrom(source: any = {}) {
	        return new Permissions(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.allow = source["allow"];
	        this.ask = source["ask"];
	        this.deny = source["deny"];
	    }
	}
	export class Rule {
	    name: string;
	    description?: string;
	    activation: string;
	    globs?: string[];
	    body: string;
	
	    static createFrom(source: any = {}) {
	        return new Rule(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.description = source["description"];
	        this.activation = source["activation"];
	        this.globs = source["globs"];
	        this.body = source["body"];
	    }
	}
	export class Tools {
	    allow?: string[];
	    deny?: string[];
	
	    static createFrom(source: any = {}) {
	        return new Tools(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.allow = source["allow"];
	        this.deny = source["deny"];
	    }
	}
	export class Server {
	    transport: string;
	    command?: string;
	    args?: string[];
	    env?: {[key: string]: string};
	    cwd?: string;
	    url?: string;
	    headers?: {[key: string]: string};
	    disabled?: boolean;
	    startupTimeoutMs?: number;
	    toolTimeoutMs?: number;
	    tools: Tools;
	    extras?: Record<string, Record<string, any>>;
	
	    static createFrom(source: any = {}) {
	        return new Server(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.transport = source["transport"];
	        this.command = source["command"];
	        this.args = source["args"];
	        this.env = source["env"];
	        this.cwd = source["cwd"];
	        this.url = source["url"];
	        this.headers = source["headers"];
	        this.disabled = source["disabled"];
	        this.startupTimeoutMs = source["startupTimeoutMs"];
	        this.toolTimeoutMs = source["toolTimeoutMs"];
	        this.tools = this.convertValues(source["tools"], Tools);
	        this.extras = source["extras"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Config {
	    servers?: {[key: string]: Server};
	    rules?: {[key: string]: Rule};
	    permissions: Permissions;
	
	    static createFrom(source: any = {}) {
	        return new Config(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.servers = this.convertValues(source["servers"], Server, true);
	        this.rules = this.convertValues(source["rules"], Rule, true);
	        this.permissions = this.convertValues(source["permissions"], Permissions);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	
	

}

