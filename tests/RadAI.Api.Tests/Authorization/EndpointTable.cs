namespace RadAI.Api.Tests.Authorization;

/// <summary>What one row sends: a path and a body (an object as JSON, a string as it is).</summary>
public sealed record RequestSpec(string Path, object? Body = null);

/// <summary>
/// One endpoint of the api and the status each role gets: <see cref="Anonymous"/> also for refused credentials (an
/// expired token, a revoked or unknown API key); an API key gets what a user of its role gets. A role that may call the endpoint
/// gets its 2xx, or the 404/400 of a deliberately absent resource where a real one would change what other rows see.
/// </summary>
public sealed record EndpointAccess(
    string Method, string Pattern, int Anonymous, int Viewer, int Radiologist, int Admin, Func<ApiNode, Task<RequestSpec>> Request)
{
    /// <summary><c>METHOD pattern</c>, as <see cref="ApiNode.MappedEndpoints"/> lists it.</summary>
    public string Key => $"{Method} {Pattern}";

    /// <summary>The method a request uses (<c>*</c>, every method, is asked with GET).</summary>
    public HttpMethod HttpMethod => Method == "*" ? HttpMethod.Get : new HttpMethod(Method);

    public int ExpectedFor(Caller caller) => caller switch
    {
        Caller.Anonymous or Caller.ExpiredAdminToken or Caller.RevokedAdminKey or Caller.UnknownKey => Anonymous,
        Caller.Viewer or Caller.ViewerKey => Viewer,
        Caller.Radiologist or Caller.RadiologistKey => Radiologist,
        Caller.Admin or Caller.AdminKey => Admin,
        _ => throw new ArgumentOutOfRangeException(nameof(caller)),
    };
}

/// <summary>
/// Every endpoint the api maps, with the designed status for each role (docs/security.md, "Roles and capabilities").
/// A new endpoint must get a row here: <see cref="AccessMatrixTests.Every_mapped_endpoint_has_a_row_and_every_row_an_endpoint"/>
/// fails until it has one.
/// </summary>
public static class EndpointTable
{
    private static Func<ApiNode, Task<RequestSpec>> To(string path, object? body = null) => _ => Task.FromResult(new RequestSpec(path, body));

    private static Func<ApiNode, Task<RequestSpec>> To(Func<ApiNode, RequestSpec> spec) => node => Task.FromResult(spec(node));

    private static readonly string Absent = Guid.NewGuid().ToString("D");

    public static IReadOnlyList<EndpointAccess> Rows { get; } =
    [
        // Open: probes, version, the API's description, sign-in.
        new("*", "/health/live", 200, 200, 200, 200, To("/health/live")),
        new("*", "/health/ready", 200, 200, 200, 200, To("/health/ready")),
        new("GET", "/api/system/info", 200, 200, 200, 200, To("/api/system/info")),
        new("GET", "/openapi/v1.json", 200, 200, 200, 200, To("/openapi/v1.json")),
        new("GET", "/api/openapi/{documentName}.json", 200, 200, 200, 200, To("/api/openapi/v1.json")),
        new("GET", "/api/reference/{documentName?}", 200, 200, 200, 200, To("/api/reference/")),
        new("GET", "/api/reference/scalar.js", 200, 200, 200, 200, To("/api/reference/scalar.js")),
        new("GET", "/api/reference/scalar.aspnetcore.js", 200, 200, 200, 200, To("/api/reference/scalar.aspnetcore.js")),
        new("GET", "/api/reference/favicon.svg", 200, 200, 200, 200, To("/api/reference/favicon.svg")),
        new("POST", "/api/auth/login", 200, 200, 200, 200, To("/api/auth/login", new { username = ApiNode.LoginUser, password = ApiNode.LoginPassword })),
        new("POST", "/api/auth/refresh", 200, 200, 200, 200, async node => new RequestSpec("/api/auth/refresh", new { refreshToken = await node.FreshRefreshTokenAsync() })),
        new("POST", "/api/auth/logout", 204, 204, 204, 204, async node => new RequestSpec("/api/auth/logout", new { refreshToken = await node.FreshRefreshTokenAsync() })),

        // Any signed-in caller.
        new("GET", "/api/auth/me", 401, 200, 200, 200, To("/api/auth/me")),

        // Job status, every role (no patient identity in any of these answers).
        new("GET", "/api/jobs/", 401, 200, 200, 200, To("/api/jobs")),
        new("GET", "/api/jobs/{jobId:guid}", 401, 200, 200, 200, To(node => new RequestSpec($"/api/jobs/{node.JobId}"))),
        new("GET", "/api/jobs/events", 401, 200, 200, 200, To("/api/jobs/events")),
        new("GET", "/api/statistics/", 401, 200, 200, 200, To("/api/statistics")),

        // The report files hold the patient's identity: radiologists only.
        new("GET", "/api/jobs/{jobId:guid}/report/{kind}", 401, 403, 200, 403, To(node => new RequestSpec($"/api/jobs/{node.JobId}/report/sr"))),

        // Acting on a job: radiologists and administrators (an absent job: nothing is published).
        new("POST", "/api/jobs/{jobId:guid}/resend", 401, 403, 404, 404, To($"/api/jobs/{Absent}/resend", new { })),
        new("POST", "/api/jobs/{jobId:guid}/rerun", 401, 403, 404, 404, To($"/api/jobs/{Absent}/rerun")),

        // Administration: users, API keys, audit log, erasure, destinations.
        new("GET", "/api/users/", 401, 403, 403, 200, To("/api/users")),
        new("POST", "/api/users/", 401, 403, 403, 201, To(node => new RequestSpec("/api/users", new { username = $"matrix-user-{node.Next()}", password = "a long enough password", role = "viewer" }))),
        new("PUT", "/api/users/{userId:guid}/role", 401, 403, 403, 404, To($"/api/users/{Absent}/role", new { role = "viewer" })),
        new("POST", "/api/users/{userId:guid}/disable", 401, 403, 403, 404, To($"/api/users/{Absent}/disable")),
        new("POST", "/api/users/{userId:guid}/enable", 401, 403, 403, 404, To($"/api/users/{Absent}/enable")),
        new("PUT", "/api/users/{userId:guid}/password", 401, 403, 403, 404, To($"/api/users/{Absent}/password", new { password = "another long password" })),
        new("GET", "/api/api-keys/", 401, 403, 403, 200, To("/api/api-keys")),
        new("POST", "/api/api-keys/", 401, 403, 403, 201, To(node => new RequestSpec("/api/api-keys", new { name = $"matrix-key-{node.Next()}", role = "viewer" }))),
        new("DELETE", "/api/api-keys/{keyId:guid}", 401, 403, 403, 404, To($"/api/api-keys/{Absent}")),
        new("GET", "/api/audit/", 401, 403, 403, 200, To("/api/audit?limit=5")),
        new("GET", "/api/audit/verify", 401, 403, 403, 200, To("/api/audit/verify")),
        new("GET", "/api/audit/export", 401, 403, 403, 200, To("/api/audit/export")),
        new("POST", "/api/patients/erase", 401, 403, 403, 200, To("/api/patients/erase", new { studyInstanceUids = new[] { "1.2.826.0.1.3680043.10.543.999" } })),
        new("GET", "/api/destinations/", 401, 403, 403, 200, To("/api/destinations")),
        new("GET", "/api/destinations/{aeTitle}", 401, 403, 403, 404, To("/api/destinations/NOSUCHAE")),
        new("PUT", "/api/destinations/{aeTitle}", 401, 403, 403, 201, To(node => new RequestSpec($"/api/destinations/MATRIX{node.Next()}", new { host = "127.0.0.1", port = 104 }))),
        new("DELETE", "/api/destinations/{aeTitle}", 401, 403, 403, 404, To("/api/destinations/NOSUCHAE")),
        new("POST", "/api/destinations/{aeTitle}/echo", 401, 403, 403, 404, To("/api/destinations/NOSUCHAE/echo")),

        // The dashboard's viewer: findings of any job (no identity), the patient, the worklist's identities and the SR tree (radiologists, audited), slices and masks.
        new("GET", "/api/jobs/{jobId:guid}/findings", 401, 404, 404, 404, To($"/api/jobs/{Absent}/findings")),
        new("GET", "/api/jobs/{jobId:guid}/patient", 401, 403, 404, 403, To($"/api/jobs/{Absent}/patient")),
        new("GET", "/api/jobs/patients", 401, 403, 200, 403, To($"/api/jobs/patients?jobId={Absent}")),
        new("GET", "/api/jobs/{jobId:guid}/report/sr/content", 401, 403, 404, 403, To($"/api/jobs/{Absent}/report/sr/content")),
        new("GET", "/api/jobs/{jobId:guid}/runs/{runId}/slices/{z:int}/pixels", 401, 403, 404, 404, To($"/api/jobs/{Absent}/runs/r1/slices/0/pixels")),
        new("GET", "/api/jobs/{jobId:guid}/runs/{runId}/slices/{z:int}/mask", 401, 403, 404, 404, To($"/api/jobs/{Absent}/runs/r1/slices/0/mask")),

        // Known senders (dicom-ingest), model packages and routing profiles (inference): administration; radiologists read the packages.
        new("GET", "/api/senders/", 401, 403, 403, 200, To("/api/senders")),
        new("GET", "/api/senders/{aeTitle}", 401, 403, 403, 404, To("/api/senders/NOSUCHAE")),
        new("PUT", "/api/senders/{aeTitle}", 401, 403, 403, 201, To(node => new RequestSpec($"/api/senders/MATRIXS{node.Next()}", new { allowed = true }))),
        new("DELETE", "/api/senders/{aeTitle}", 401, 403, 403, 404, To("/api/senders/NOSUCHAE")),
        new("GET", "/api/models/", 401, 403, 200, 200, To("/api/models")),
        new("GET", "/api/models/{id}", 401, 403, 404, 404, To("/api/models/no.such.package")),
        new("PUT", "/api/models/{id}/enabled", 401, 403, 403, 200, To("/api/models/radai.ct.lung-quant/enabled", new { enabled = true })),
        new("GET", "/api/routing-profiles/", 401, 403, 403, 200, To("/api/routing-profiles")),
        new("PUT", "/api/routing-profiles/{name}", 401, 403, 403, 201, To(node => new RequestSpec($"/api/routing-profiles/matrix-{node.Next()}", new { packages = new[] { "radai.ct.lung-quant" } }))),
    ];

    public static EndpointAccess Find(string key) =>
        Rows.SingleOrDefault(r => r.Key == key) ?? throw new ArgumentException($"No row for {key}.", nameof(key));
}
