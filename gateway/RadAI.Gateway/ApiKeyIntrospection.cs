using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;

namespace RadAI.Gateway;

/// <summary>What the api said about an API key.</summary>
public enum ApiKeyVerdict
{
    /// <summary>The api knows the key and it is not revoked.</summary>
    Valid,

    /// <summary>The api refused the key (unknown or revoked).</summary>
    Invalid,

    /// <summary>The api could not be asked (down, timed out, an unexpected answer): nothing is cached.</summary>
    Unavailable,
}

/// <summary>
/// API keys live, hashed, in the api's database, which the gateway cannot and should not read: the gateway asks the
/// api (<c>GET /api/auth/me</c> with the key, on the <c>api</c> cluster's destination) and keeps the answer
/// <see cref="GatewayAuthenticationOptions.ApiKeyCacheDuration"/>, keyed by the key's SHA-256 (the key itself is never
/// kept). The api validates the key again on every proxied request, so the cache only decides what reaches the api.
/// </summary>
public sealed partial class ApiKeyIntrospection : IDisposable
{
    /// <summary>Name of the HttpClient that asks the api.</summary>
    public const string ClientName = "gateway-api-key-introspection";

    /// <summary>The api endpoint that answers 200 for a valid credential and 401 otherwise.</summary>
    public const string IntrospectionPath = "/api/auth/me";

    /// <summary>The cluster whose destination is asked.</summary>
    public const string ApiClusterId = "api";

    private const int MaxCachedKeys = 10_000;

    private readonly IHttpClientFactory _httpClients;
    private readonly IProxyStateLookup _proxyState;
    private readonly TimeSpan _cacheDuration;
    private readonly ILogger<ApiKeyIntrospection> _logger;
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = MaxCachedKeys });

    public ApiKeyIntrospection(IHttpClientFactory httpClients, IProxyStateLookup proxyState, IOptions<GatewayOptions> options, ILogger<ApiKeyIntrospection> logger)
    {
        _httpClients = httpClients;
        _proxyState = proxyState;
        _cacheDuration = options.Value.Authentication.ApiKeyCacheDuration;
        _logger = logger;
    }

    /// <summary>Whether the api accepts <paramref name="apiKey"/>; cached answers first.</summary>
    public async Task<ApiKeyVerdict> VerifyAsync(string apiKey, CancellationToken cancellationToken)
    {
        var cacheKey = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));
        if (_cache.TryGetValue(cacheKey, out ApiKeyVerdict cached))
        {
            return cached;
        }

        var verdict = await AskApiAsync(apiKey, cancellationToken).ConfigureAwait(false);
        if (verdict != ApiKeyVerdict.Unavailable && _cacheDuration > TimeSpan.Zero)
        {
            _cache.Set(cacheKey, verdict, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = _cacheDuration, Size = 1 });
        }

        return verdict;
    }

    private async Task<ApiKeyVerdict> AskApiAsync(string apiKey, CancellationToken cancellationToken)
    {
        var destination = ApiDestination();
        if (destination is null)
        {
            LogNoApiDestination(_logger, ApiClusterId);
            return ApiKeyVerdict.Unavailable;
        }

        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(destination, IntrospectionPath));
            request.Headers.TryAddWithoutValidation(GatewaySecurity.ApiKeyHeader, apiKey);
            using var response = await _httpClients.CreateClient(ClientName).SendAsync(request, cancellationToken).ConfigureAwait(false);
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    return ApiKeyVerdict.Valid;
                case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                    LogApiKeyRefused(_logger);
                    return ApiKeyVerdict.Invalid;
                default:
                    LogApiUnavailable(_logger, destination, $"HTTP {(int)response.StatusCode}");
                    return ApiKeyVerdict.Unavailable;
            }
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogApiUnavailable(_logger, destination, e.Message);
            return ApiKeyVerdict.Unavailable;
        }
    }

    private Uri? ApiDestination()
    {
        if (!_proxyState.TryGetCluster(ApiClusterId, out var cluster))
        {
            return null;
        }

        var destinations = cluster.DestinationsState.AvailableDestinations.Count > 0
            ? cluster.DestinationsState.AvailableDestinations
            : cluster.DestinationsState.AllDestinations;
        return destinations.Count > 0 && Uri.TryCreate(destinations[0].Model.Config.Address, UriKind.Absolute, out var address) ? address : null;
    }

    public void Dispose() => _cache.Dispose();

    [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "An API key was refused by the api (unknown or revoked)")]
    private static partial void LogApiKeyRefused(ILogger logger);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Warning, Message = "Could not ask the api at {Destination} about an API key: {Reason}")]
    private static partial void LogApiUnavailable(ILogger logger, Uri destination, string reason);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Warning, Message = "No destination of cluster '{Cluster}' to ask about an API key")]
    private static partial void LogNoApiDestination(ILogger logger, string cluster);
}
