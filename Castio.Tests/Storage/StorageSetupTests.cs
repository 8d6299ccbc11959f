using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Castio.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Castio.Tests.Storage;

/// <summary>AddCastioStorage reads AzureWebJobsStorage the way the Functions host does; no request is sent.</summary>
public class StorageSetupTests
{
    private static ServiceProvider Build(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)))
            .Build();
        return new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddCastioStorage().BuildServiceProvider();
    }

    [Fact]
    public void DevelopmentStorageConnectionStringPointsAtAzuritesWellKnownPorts()
    {
        using var services = Build(("AzureWebJobsStorage", "UseDevelopmentStorage=true"));

        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1"), services.GetRequiredService<BlobServiceClient>().Uri);
        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1"), services.GetRequiredService<QueueServiceClient>().Uri);
        Assert.Equal(new Uri("http://127.0.0.1:10002/devstoreaccount1"), services.GetRequiredService<TableServiceClient>().Uri);
        Assert.Equal("devstoreaccount1", services.GetRequiredService<TableServiceClient>().AccountName);
        Assert.True(services.GetRequiredService<BlobServiceClient>().CanGenerateAccountSasUri);
    }

    [Fact]
    public void AzuriteConnectionStringKeepsItsPorts()
    {
        var connection = Castio.LocalHost.AzuriteProcess.CreateConnectionString(20000, 20001, 20002);
        using var services = Build(("AzureWebJobsStorage", connection));

        Assert.Equal(20000, services.GetRequiredService<BlobServiceClient>().Uri.Port);
        Assert.Equal(20001, services.GetRequiredService<QueueServiceClient>().Uri.Port);
        Assert.Equal(20002, services.GetRequiredService<TableServiceClient>().Uri.Port);
    }

    [Fact]
    public void AccountNameWithAUserAssignedManagedIdentityGivesTheAzureEndpointsAndNoKey()
    {
        var connection = StorageConnection.FromConfiguration(Configuration(
            ("AzureWebJobsStorage:accountName", "castiostore"),
            ("AzureWebJobsStorage:credential", "managedidentity"),
            ("AzureWebJobsStorage:clientId", "00000000-0000-0000-0000-000000000001")));

        Assert.IsType<ManagedIdentityCredential>(connection.Credential);
        Assert.Null(connection.ConnectionString);
        var blobs = connection.CreateBlobServiceClient();
        Assert.Equal(new Uri("https://castiostore.blob.core.windows.net/"), blobs.Uri);
        Assert.Equal("castiostore", blobs.AccountName);
        Assert.False(blobs.CanGenerateAccountSasUri); // shared keys are off in Azure: links need a delegation key
        Assert.Equal(new Uri("https://castiostore.queue.core.windows.net/"), connection.CreateQueueServiceClient().Uri);
        Assert.Equal(new Uri("https://castiostore.table.core.windows.net/"), connection.CreateTableServiceClient().Uri);
        Assert.Equal("castiostore", connection.CreateTableServiceClient().AccountName);
    }

    [Fact]
    public void WithoutTheManagedIdentityCredentialSettingDefaultAzureCredentialIsUsed()
    {
        var connection = StorageConnection.FromConfiguration(Configuration(("AzureWebJobsStorage:accountName", "castiostore")));

        Assert.IsType<DefaultAzureCredential>(connection.Credential);
    }

    [Fact]
    public void ServiceUrisWinOverTheAccountName()
    {
        var connection = StorageConnection.FromConfiguration(Configuration(
            ("AzureWebJobsStorage:accountName", "castiostore"),
            ("AzureWebJobsStorage:tableServiceUri", "https://tables.example.net/"),
            ("AzureWebJobsStorage:credential", "managedidentity")));

        Assert.Equal(new Uri("https://tables.example.net/"), connection.CreateTableServiceClient().Uri);
        Assert.Equal(new Uri("https://castiostore.blob.core.windows.net/"), connection.CreateBlobServiceClient().Uri);
    }

    [Fact]
    public void AServiceWithoutAnEndpointFailsNamingItsSetting()
    {
        var connection = StorageConnection.FromConfiguration(Configuration(
            ("AzureWebJobsStorage:blobServiceUri", "https://castiostore.blob.core.windows.net"),
            ("AzureWebJobsStorage:credential", "managedidentity")));

        Assert.Equal("castiostore", connection.CreateBlobServiceClient().AccountName);
        var error = Assert.Throws<InvalidOperationException>(connection.CreateTableServiceClient);
        Assert.Contains("AzureWebJobsStorage__tableServiceUri", error.Message);
    }

    [Fact]
    public void MissingSettingFailsAtFirstUseNamingIt()
    {
        using var services = Build();

        var error = Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<TableServiceClient>());

        Assert.Contains("'AzureWebJobsStorage'", error.Message);
        Assert.Contains("AzureWebJobsStorage__accountName", error.Message);
    }

    [Fact]
    public void NamePrefixIsValidated()
    {
        using var services = Build(("AzureWebJobsStorage", "UseDevelopmentStorage=true"), ("Storage:NamePrefix", "Not_Valid!"));

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<StorageOptions>>().Value);

        Assert.Contains("NamePrefix", error.Message);
    }

    [Fact]
    public void NamePrefixGoesInFrontOfNames()
    {
        using var services = Build(("AzureWebJobsStorage", "UseDevelopmentStorage=true"), ("Storage:NamePrefix", "t1"));

        Assert.Equal("t1orgs", services.GetRequiredService<IOptions<StorageOptions>>().Value.Name("orgs"));
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();
}
