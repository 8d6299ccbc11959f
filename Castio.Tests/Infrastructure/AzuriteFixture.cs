using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Castio.LocalHost;
using Castio.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

[assembly: AssemblyFixture(typeof(AzuriteFixture))]

namespace Castio.Tests.Infrastructure;

/// <summary>
/// One in-memory Azurite per test run on free ports, installed from the repo's package.json if needed.
/// Tests isolate themselves with <see cref="UniqueName"/>.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteProcess? _azurite;

    public string ConnectionString => _azurite?.ConnectionString ?? throw new InvalidOperationException("Azurite has not started.");

    public AzuriteProcess Process => _azurite ?? throw new InvalidOperationException("Azurite has not started.");

    public async ValueTask InitializeAsync()
    {
        var repoRoot = AzuriteProcess.FindRepoRoot(AppContext.BaseDirectory)
            ?? throw new InvalidOperationException("No package.json pinning azurite above " + AppContext.BaseDirectory);
        _azurite = await AzuriteProcess.StartAsync(new AzuriteStartOptions(repoRoot), new DiagnosticLogger(), TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_azurite is not null) await _azurite.DisposeAsync();
    }

    /// <summary>Table service on this Azurite (shared key, path-style endpoints).</summary>
    public TableServiceClient Tables => new(ConnectionString);

    /// <summary>Blob service on this Azurite.</summary>
    public BlobServiceClient Blobs => new(ConnectionString);

    /// <summary>Queue service on this Azurite, Base64 like the app's.</summary>
    public QueueServiceClient Queues => new(ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    /// <summary>A fresh lowercase alphanumeric name, valid for tables, queues and containers.</summary>
    public static string UniqueName(string prefix)
    {
        var clean = new string(prefix.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).ToArray());
        if (clean.Length == 0 || !char.IsAsciiLetter(clean[0])) clean = "t" + clean;
        var name = clean + Guid.NewGuid().ToString("N")[..16];
        return name.Length > 63 ? name[..63] : name;
    }

    /// <summary>Forwards Azurite launcher logs to xunit's diagnostic messages.</summary>
    private sealed class DiagnosticLogger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            TestContext.Current.SendDiagnosticMessage(formatter(state, exception));
    }
}
