using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace Castio.Tests.Infrastructure;

/// <summary>Every table request a client sends, as "METHOD path" (the path unescaped, the query left off).</summary>
public sealed class StorageRequestLog : HttpPipelineSynchronousPolicy
{
    private readonly ConcurrentQueue<string> _requests = new();

    public int Count => _requests.Count;

    public IReadOnlyList<string> Requests => [.. _requests];

    public void Reset() => _requests.Clear();

    public override void OnSendingRequest(HttpMessage message) =>
        _requests.Enqueue(message.Request.Method + " " + Uri.UnescapeDataString(message.Request.Uri.ToUri().AbsolutePath));

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
