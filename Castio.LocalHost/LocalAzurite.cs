using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Castio.LocalHost;

namespace Castio.LocalHost;

public static class LocalAzuriteExtensions
{
    public const string StorageSetting = "AzureWebJobsStorage";
    public const string DevelopmentStorage = "UseDevelopmentStorage=true";

    /// <summary>With no storage configured, use development storage, as local.settings.sample.json does; start Azurite for it if needed.</summary>
    public static WebApplicationBuilder AddLocalAzurite(this WebApplicationBuilder builder)
    {
        var configured = !string.IsNullOrEmpty(builder.Configuration[StorageSetting]) || builder.Configuration.GetSection(StorageSetting).GetChildren().Any();
        if (!configured)
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [StorageSetting] = DevelopmentStorage });
        // Registered before everything else so Azurite is up before anything touches storage; only for
        // development storage, so a configured run never builds the storage clients at start-up.
        if (UsesDevelopmentStorage(builder.Configuration))
            builder.Services.AddHostedService<LocalAzurite>();
        return builder;
    }

    public static bool UsesDevelopmentStorage(IConfiguration configuration) =>
        string.Equals(configuration[StorageSetting]?.Replace(" ", ""), DevelopmentStorage, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Dev default: a run on <c>UseDevelopmentStorage=true</c> with nothing listening on Azurite's ports
/// starts the repo's pinned Azurite (data under <c>&lt;repo&gt;/.azurite</c>) and stops it on exit.
/// </summary>
internal sealed partial class LocalAzurite(BlobServiceClient blobs, QueueServiceClient queues, TableServiceClient tables, IHostEnvironment environment, ILogger<LocalAzurite> logger)
    : IHostedService, IAsyncDisposable
{
    private AzuriteProcess? _azurite;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        int[] ports = [blobs.Uri.Port, queues.Uri.Port, tables.Uri.Port];
        var listening = ports.Count(AzuriteProcess.IsListening);
        if (listening == ports.Length)
        {
            LogAlreadyRunning(logger, ports[0], ports[1], ports[2]);
            return;
        }
        if (listening > 0)
        {
            LogPortsBusy(logger, string.Join(", ", ports));
            return;
        }
        var root = AzuriteProcess.FindRepoRoot(environment.ContentRootPath) ?? AzuriteProcess.FindRepoRoot(AppContext.BaseDirectory);
        if (root is null)
        {
            LogNoRepo(logger);
            return;
        }
        var data = Path.Combine(root, ".azurite");
        Directory.CreateDirectory(data);
        LogStarting(logger, data);
        _azurite = await AzuriteProcess.StartAsync(
            new AzuriteStartOptions(root) { BlobPort = ports[0], QueuePort = ports[1], TablePort = ports[2], DataDirectory = data },
            logger, cancellationToken);
        LogStarted(logger, _azurite.BlobPort, _azurite.QueuePort, _azurite.TablePort);
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _azurite, null) is { } azurite)
        {
            await azurite.DisposeAsync();
            LogStopped(logger);
        }
    }

    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Development storage: Azurite already listening on ports {BlobPort}/{QueuePort}/{TablePort}; using it")]
    private static partial void LogAlreadyRunning(ILogger logger, int blobPort, int queuePort, int tablePort);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Development storage: some of ports {Ports} are taken by something else; not starting Azurite")]
    private static partial void LogPortsBusy(ILogger logger, string ports);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Development storage: no repository with the pinned Azurite found above the app folder; start Azurite yourself")]
    private static partial void LogNoRepo(ILogger logger);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Development storage: starting Azurite with data in {DataDirectory}")]
    private static partial void LogStarting(ILogger logger, string dataDirectory);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Development storage: STARTED Azurite on ports {BlobPort}/{QueuePort}/{TablePort}; it stops when Castio exits")]
    private static partial void LogStarted(ILogger logger, int blobPort, int queuePort, int tablePort);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Development storage: Azurite stopped")]
    private static partial void LogStopped(ILogger logger);
}
