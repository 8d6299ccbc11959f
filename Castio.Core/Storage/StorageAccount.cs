using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;

namespace Castio.Core.Storage;

/// <summary>
/// One storage account: its three endpoints, its credential and one client per service.
/// Build it from a connection string (spec §1.3) or Functions-style identity settings (spec §1.4).
/// </summary>
public sealed class StorageAccount
{
    /// <summary>Azurite's well-known account name.</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";

    /// <summary>Azurite's well-known (public) account key.</summary>
    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly StorageCredential _credential;
    private readonly StorageClientOptions _options;
    private readonly Lazy<TableServiceClient> _tables;
    private readonly Lazy<QueueServiceClient> _queues;
    private readonly Lazy<BlobServiceClient> _blobs;

    internal StorageAccount(StorageCredential credential, Uri blobEndpoint, Uri queueEndpoint, Uri tableEndpoint, StorageClientOptions? options)
    {
        _credential = credential;
        _options = options ?? new StorageClientOptions();
        BlobEndpoint = blobEndpoint;
        QueueEndpoint = queueEndpoint;
        TableEndpoint = tableEndpoint;
        _tables = new(() => new TableServiceClient(new StoragePipeline(StorageService.Table, TableEndpoint, _credential, _options)));
        _queues = new(() => new QueueServiceClient(new StoragePipeline(StorageService.Queue, QueueEndpoint, _credential, _options)));
        _blobs = new(() => new BlobServiceClient(new StoragePipeline(StorageService.Blob, BlobEndpoint, _credential, _options)));
    }

    /// <summary>The storage account name.</summary>
    public string AccountName => _credential.AccountName;

    /// <summary>True for Azurite's well-known devstoreaccount1 on the loopback address.</summary>
    public bool IsDevelopmentStorage =>
        AccountName == DevelopmentAccountName && (BlobEndpoint.IsLoopback || BlobEndpoint.Host == "127.0.0.1");

    /// <summary>Blob service base URI (may carry a path on Azurite).</summary>
    public Uri BlobEndpoint { get; }
    /// <summary>Queue service base URI.</summary>
    public Uri QueueEndpoint { get; }
    /// <summary>Table service base URI.</summary>
    public Uri TableEndpoint { get; }

    /// <summary>The Table service client.</summary>
    public TableServiceClient Tables => _tables.Value;
    /// <summary>The Queue service client.</summary>
    public QueueServiceClient Queues => _queues.Value;
    /// <summary>The Blob service client.</summary>
    public BlobServiceClient Blobs => _blobs.Value;

    /// <summary>Parses <c>UseDevelopmentStorage=true</c>, a full Azurite string, or an Azure key/SAS connection string.</summary>
    public static StorageAccount FromConnectionString(string connectionString, StorageClientOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0) throw new FormatException("A storage connection string is a ';'-separated list of key=value pairs.");
            settings[part[..eq].Trim()] = part[(eq + 1)..].Trim();
        }

        string? Get(string key) => settings.TryGetValue(key, out var v) && v.Length > 0 ? v : null;

        if (string.Equals(Get("UseDevelopmentStorage"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return new StorageAccount(
                new StorageCredential(DevelopmentAccountName, Convert.FromBase64String(DevelopmentAccountKey), null, null),
                new Uri("http://127.0.0.1:10000/devstoreaccount1"),
                new Uri("http://127.0.0.1:10001/devstoreaccount1"),
                new Uri("http://127.0.0.1:10002/devstoreaccount1"),
                options);
        }

        var accountName = Get("AccountName");
        var protocol = Get("DefaultEndpointsProtocol") ?? "https";
        var suffix = Get("EndpointSuffix") ?? "core.windows.net";

        Uri Endpoint(string key, string service)
        {
            if (Get(key) is { } explicitEndpoint) return new Uri(explicitEndpoint);
            if (accountName is null) throw new FormatException($"The connection string needs AccountName or {key}.");
            return new Uri($"{protocol}://{accountName}.{service}.{suffix}");
        }

        var blob = Endpoint("BlobEndpoint", "blob");
        var queue = Endpoint("QueueEndpoint", "queue");
        var table = Endpoint("TableEndpoint", "table");
        accountName ??= AccountNameFromEndpoint(blob);

        StorageCredential credential;
        if (Get("AccountKey") is { } key)
        {
            byte[] keyBytes;
            try { keyBytes = Convert.FromBase64String(key); }
            catch (FormatException) { throw new FormatException("The connection string's AccountKey is not base64."); }
            credential = new StorageCredential(accountName, keyBytes, null, null);
        }
        else if (Get("SharedAccessSignature") is { } sas)
        {
            credential = new StorageCredential(accountName, null, sas, null);
        }
        else
        {
            throw new FormatException("The connection string needs AccountKey or SharedAccessSignature.");
        }
        return new StorageAccount(credential, blob, queue, table, options);
    }

    /// <summary>
    /// Reads Functions-style settings: <c>{prefix}</c> as a connection string, or <c>{prefix}__accountName</c> /
    /// <c>__blobServiceUri</c> / <c>__queueServiceUri</c> / <c>__tableServiceUri</c> with
    /// <c>__credential=managedidentity</c> and optional <c>__clientId</c>.
    /// </summary>
    public static StorageAccount FromConfiguration(IConfiguration configuration, string prefix = "AzureWebJobsStorage", StorageClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        var section = configuration.GetSection(prefix);
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            return FromConnectionString(section.Value, options);
        }

        var accountName = section["accountName"];
        Uri? Endpoint(string key, string service) =>
            section[key] is { Length: > 0 } uri ? new Uri(uri)
            : accountName is { Length: > 0 } ? new Uri($"https://{accountName}.{service}.core.windows.net")
            : null;

        var blob = Endpoint("blobServiceUri", "blob");
        var queue = Endpoint("queueServiceUri", "queue");
        var table = Endpoint("tableServiceUri", "table");
        if (blob is null || queue is null || table is null)
        {
            throw new InvalidOperationException(
                $"Storage is not configured: set '{prefix}' to a connection string, or '{prefix}__accountName' " +
                $"(or all of '{prefix}__blobServiceUri', '__queueServiceUri', '__tableServiceUri').");
        }

        var clientId = section["clientId"];
        TokenCredential token = string.Equals(section["credential"], "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? new ManagedIdentityCredential(string.IsNullOrEmpty(clientId) ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = string.IsNullOrEmpty(clientId) ? null : clientId });
        return FromTokenCredential(blob, queue, table, token, options);
    }

    /// <summary>An account reached with Entra ID tokens (scope https://storage.azure.com/.default).</summary>
    public static StorageAccount FromTokenCredential(Uri blobEndpoint, Uri queueEndpoint, Uri tableEndpoint, TokenCredential credential, StorageClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(blobEndpoint);
        ArgumentNullException.ThrowIfNull(queueEndpoint);
        ArgumentNullException.ThrowIfNull(tableEndpoint);
        ArgumentNullException.ThrowIfNull(credential);
        var name = AccountNameFromEndpoint(blobEndpoint);
        return new StorageAccount(new StorageCredential(name, null, null, credential), blobEndpoint, queueEndpoint, tableEndpoint, options);
    }

    private static string AccountNameFromEndpoint(Uri endpoint)
    {
        // Path-style (Azurite): /{account}; host-style (Azure): {account}.blob.core.windows.net.
        var path = endpoint.AbsolutePath.Trim('/');
        if (path.Length > 0) return path.Split('/')[0];
        return endpoint.Host.Split('.')[0];
    }
}
