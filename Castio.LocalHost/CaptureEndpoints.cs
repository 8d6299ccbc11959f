using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;

namespace Castio.LocalHost;

/// <summary>
/// Stand-ins for the outside services Castio posts to (Sentry's ingest, the phone-home endpoint), so tests can read
/// what left the process. <c>POST /__capture/{name}/...</c> stores any body (gunzipped when sent compressed) under
/// <c>name</c>; <c>GET /__capture/{name}</c> lists what arrived; <c>DELETE</c> forgets it. A Sentry DSN such as
/// <c>http://key@127.0.0.1:7071/__capture/sentry-vendor/1</c> makes the SDK post to
/// <c>/__capture/sentry-vendor/api/1/envelope/</c>. Off unless <c>LocalHost:Capture:Enabled</c> is true; never in the Function App.
/// </summary>
public static class CaptureEndpoints
{
    public const string Prefix = "/__capture";
    public const string EnabledSetting = "LocalHost:Capture:Enabled";
    public const string DelaySetting = "LocalHost:Capture:Delay";

    public static WebApplicationBuilder AddCaptureEndpoints(this WebApplicationBuilder builder)
    {
        if (builder.Configuration.GetValue<bool>(EnabledSetting))
            builder.Services.AddSingleton(new CaptureStore(builder.Configuration.GetValue<TimeSpan?>(DelaySetting) ?? TimeSpan.Zero));
        return builder;
    }

    public static WebApplication MapCaptureEndpoints(this WebApplication app)
    {
        if (app.Services.GetService<CaptureStore>() is null)
            return app;
        app.MapPost(Prefix + "/{name}/{**rest}", ReceiveAsync);
        app.MapGet(Prefix + "/{name}", (string name, CaptureStore store) => Results.Json(store.List(name)));
        app.MapDelete(Prefix + "/{name}", (string name, CaptureStore store) => { store.Clear(name); return Results.NoContent(); });
        return app;
    }

    private static async Task<IResult> ReceiveAsync(string name, HttpContext http, CaptureStore store)
    {
        var body = http.Request.Body;
        if (http.Request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase))
            body = new GZipStream(body, CompressionMode.Decompress);
        using var reader = new StreamReader(body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(http.RequestAborted);
        store.Add(name, new CapturedRequest(http.Request.Path + http.Request.QueryString, http.Request.ContentType, DateTimeOffset.UtcNow, text));

        // A slow ingest: what arrived is stored at once, the answer waits (a sender must not).
        if (store.Delay > TimeSpan.Zero)
            await Task.Delay(store.Delay, http.RequestAborted);
        return Results.Json(new { id = Guid.NewGuid().ToString("N") });
    }
}

/// <summary>One request a capture endpoint received: where it was posted, its content type and its (decompressed) body.</summary>
public sealed record CapturedRequest(string Path, string? ContentType, DateTimeOffset ReceivedAt, string Body);

/// <summary>What the capture endpoints received, by name, in arrival order; in memory for the life of the process.</summary>
public sealed class CaptureStore(TimeSpan delay)
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<CapturedRequest>> _byName = new(StringComparer.OrdinalIgnoreCase);

    public TimeSpan Delay { get; } = delay;

    public void Add(string name, CapturedRequest request) => _byName.GetOrAdd(name, _ => new()).Enqueue(request);

    public IReadOnlyList<CapturedRequest> List(string name) => _byName.TryGetValue(name, out var queue) ? [.. queue] : [];

    public void Clear(string name) => _byName.TryRemove(name, out _);
}
