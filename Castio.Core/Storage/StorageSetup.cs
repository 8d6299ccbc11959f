using System.ComponentModel.DataAnnotations;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Castio.Core.Storage;

/// <summary>Storage naming. The prefix isolates an app instance (end-to-end tests); leave it empty in Azure.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Put in front of every table, queue and container name. Lowercase letters and digits, starting with a letter.</summary>
    [RegularExpression("^([a-z][a-z0-9]{0,15})?$")]
    public string NamePrefix { get; set; } = "";

    public string Name(string baseName) => NamePrefix + baseName;
}

/// <summary>
/// The storage account the app runs on, read from the setting the Functions host reads
/// (<c>AzureWebJobsStorage</c>), so the app and the host always share one account.
/// </summary>
public static class StorageSetup
{
    public const string ConnectionSetting = "AzureWebJobsStorage";

    /// <summary>
    /// Binds <see cref="StorageOptions"/> and registers singleton <see cref="TableServiceClient"/>,
    /// <see cref="BlobServiceClient"/>, <see cref="QueueServiceClient"/> and <see cref="BlobReadLinks"/>.
    /// A missing setting fails when the first client is resolved, naming the setting.
    /// </summary>
    public static IServiceCollection AddCastioStorage(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => StorageConnection.FromConfiguration(sp.GetRequiredService<IConfiguration>()));
        services.TryAddSingleton(sp => sp.GetRequiredService<StorageConnection>().CreateTableServiceClient());
        services.TryAddSingleton(sp => sp.GetRequiredService<StorageConnection>().CreateBlobServiceClient());
        services.TryAddSingleton(sp => sp.GetRequiredService<StorageConnection>().CreateQueueServiceClient());
        services.TryAddSingleton<BlobReadLinks>();
        return services;
    }
}

/// <summary>
/// How to reach the account, in the Functions host's own terms: <c>{prefix}</c> as a connection string
/// (<c>UseDevelopmentStorage=true</c> locally), or identity-based <c>{prefix}__accountName</c> and/or
/// <c>__blobServiceUri</c> / <c>__queueServiceUri</c> / <c>__tableServiceUri</c>, with
/// <c>__credential=managedidentity</c> (+ <c>__clientId</c>) or else <see cref="DefaultAzureCredential"/>.
/// </summary>
public sealed class StorageConnection
{
    private readonly string _setting;

    private StorageConnection(string setting, string? connectionString, Uri? blob, Uri? queue, Uri? table, TokenCredential? credential)
    {
        _setting = setting;
        ConnectionString = connectionString;
        BlobServiceUri = blob;
        QueueServiceUri = queue;
        TableServiceUri = table;
        Credential = credential;
    }

    public string? ConnectionString { get; }
    public Uri? BlobServiceUri { get; }
    public Uri? QueueServiceUri { get; }
    public Uri? TableServiceUri { get; }

    /// <summary>One credential for the three clients, so they share its token cache.</summary>
    public TokenCredential? Credential { get; }

    public static StorageConnection FromConfiguration(IConfiguration configuration, string setting = StorageSetup.ConnectionSetting)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(setting);
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            return new StorageConnection(setting, section.Value, null, null, null, null);
        }

        var accountName = section["accountName"];
        Uri? Endpoint(string key, string service) =>
            section[key] is { Length: > 0 } uri ? new Uri(uri)
            : accountName is { Length: > 0 } ? new Uri($"https://{accountName}.{service}.core.windows.net")
            : null;

        var blob = Endpoint("blobServiceUri", "blob");
        var queue = Endpoint("queueServiceUri", "queue");
        var table = Endpoint("tableServiceUri", "table");
        if (blob is null && queue is null && table is null)
        {
            return new StorageConnection(setting, null, null, null, null, null);
        }

        var clientId = section["clientId"] is { Length: > 0 } id ? id : null;
        TokenCredential credential = string.Equals(section["credential"], "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? new ManagedIdentityCredential(clientId is null ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId });
        return new StorageConnection(setting, null, blob, queue, table, credential);
    }

    public TableServiceClient CreateTableServiceClient() =>
        ConnectionString is { } cs ? new TableServiceClient(cs)
        : new TableServiceClient(Require(TableServiceUri, "tableServiceUri"), Credential);

    public BlobServiceClient CreateBlobServiceClient() =>
        ConnectionString is { } cs ? new BlobServiceClient(cs)
        : new BlobServiceClient(Require(BlobServiceUri, "blobServiceUri"), Credential);

    public QueueServiceClient CreateQueueServiceClient()
    {
        // Base64, what the Functions queue trigger reads and writes.
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        return ConnectionString is { } cs ? new QueueServiceClient(cs, options)
            : new QueueServiceClient(Require(QueueServiceUri, "queueServiceUri"), Credential, options);
    }

    private Uri Require(Uri? uri, string key) => uri ?? throw new InvalidOperationException(
        $"Storage is not configured: set '{_setting}' to a connection string (UseDevelopmentStorage=true locally), " +
        $"or '{_setting}__accountName' (or '{_setting}__{key}') with a managed identity.");
}
