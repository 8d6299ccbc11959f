using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace Castio.Tests.Infrastructure;

/// <summary>
/// Every table request a client sends, as "METHOD path" (the path unescaped, the query left off); optionally holds
/// matching requests back for a while, so that tests about overlapping requests do not depend on the machine's speed.
/// </summary>
public sealed class StorageRequestLog : HttpPipelinePolicy
{
    private readonly ConcurrentQueue<string> _requests = new();
    private Func<string, bool>? _slow;
    private TimeSpan _delay;

    public int Count => _requests.Count;

    public IReadOnlyList<string> Requests => [.. _requests];

    public void Reset() => _requests.Clear();

    /// <summary>Requests that <paramref name="match"/> wait <paramref name="delay"/> before they are sent.</summary>
    public StorageRequestLog SlowDown(Func<string, bool> match, TimeSpan delay)
    {
        (_slow, _delay) = (match, delay);
        return this;
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Log(message);
        ProcessNext(message, pipeline);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var request = Log(message);
        if (_slow is { } slow && slow(request))
        {
            await Task.Delay(_delay);
        }

        await ProcessNextAsync(message, pipeline);
    }

    private string Log(HttpMessage message)
    {
        var request = message.Request.Method + " " + Uri.UnescapeDataString(message.Request.Uri.ToUri().AbsolutePath);
        _requests.Enqueue(request);
        return request;
    }

    /// <summary>A table service client on <paramref name="connectionString"/> that logs here.</summary>
    public TableServiceClient Client(string connectionString)
    {
        var options = new TableClientOptions();
        options.AddPolicy(this, HttpPipelinePosition.PerCall);
        return new TableServiceClient(connectionString, options);
    }
}

public static class StorageRequestLogExtensions
{
    /// <summary>The app's table requests go through <paramref name="log"/>.</summary>
    public static CastioApplication WithStorageRequestLog(this CastioApplication app, StorageRequestLog log, string connectionString) =>
        app.WithServices(s => s.AddSingleton(log.Client(connectionString)));
}
