using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using RadAI.Testing;

namespace RadAI.Integration.Tests;

/// <summary>
/// An OTLP/HTTP endpoint that keeps the bodies of the trace exports it receives (protobuf, read as bytes: the
/// resource's service name is a plain string field in them).
/// </summary>
internal sealed class OtlpCapture : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<byte[]> _traces = new();
    private readonly Task _loop;

    public OtlpCapture()
    {
        var port = FreePort.Next();
        Endpoint = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        _listener.Prefixes.Add(Endpoint + "/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>The value of <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public string Endpoint { get; }

    /// <summary>The bodies of the requests to <c>/v1/traces</c> so far.</summary>
    public IReadOnlyList<byte[]> Traces => [.. _traces];

    /// <summary>Whether an export names <paramref name="serviceName"/> as its resource's <c>service.name</c>.</summary>
    public static bool HasServiceName(byte[] export, string serviceName)
    {
        // KeyValue { key = "service.name" (field 1), value = AnyValue { string_value (field 1) } (field 2) }.
        var key = Encoding.UTF8.GetBytes("service.name");
        var value = Encoding.UTF8.GetBytes(serviceName);
        byte[] field = [0x0A, (byte)key.Length, .. key, 0x12, (byte)(value.Length + 2), 0x0A, (byte)value.Length, .. value];
        return export.AsSpan().IndexOf(field) >= 0;
    }

    /// <summary>Whether an export holds <paramref name="text"/> (an attribute value, a span name).</summary>
    public static bool Contains(byte[] export, string text) => export.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using (var body = new MemoryStream())
            {
                await context.Request.InputStream.CopyToAsync(body);
                if (context.Request.Url?.AbsolutePath == "/v1/traces")
                {
                    _traces.Enqueue(body.ToArray());
                }
            }

            // An empty Export*ServiceResponse: success.
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
