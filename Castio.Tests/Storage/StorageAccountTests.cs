using Azure.Core;
using Castio.Core.Storage;
using Castio.Core.Storage.Local;
using Castio.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Castio.Tests.Storage;

public sealed class StorageAccountTests(AzuriteFixture azurite)
{
    [Fact]
    public void DevelopmentStorageShorthandPointsAtTheWellKnownAzuriteAccount()
    {
        var account = StorageAccount.FromConnectionString("UseDevelopmentStorage=true");
        Assert.True(account.IsDevelopmentStorage);
        Assert.Equal("devstoreaccount1", account.AccountName);
        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1"), account.BlobEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1"), account.QueueEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:10002/devstoreaccount1"), account.TableEndpoint);
    }

    [Fact]
    public void FullAzuriteStringUsesItsExplicitEndpoints()
    {
        var account = StorageAccount.FromConnectionString(AzuriteProcess.CreateConnectionString(1, 2, 3));
        Assert.True(account.IsDevelopmentStorage);
        Assert.Equal(new Uri("http://127.0.0.1:1/devstoreaccount1"), account.BlobEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:3/devstoreaccount1"), account.TableEndpoint);
    }

    [Fact]
    public void AzureKeyStringDerivesHostStyleEndpoints()
    {
        var key = Convert.ToBase64String(new byte[32]);
        var account = StorageAccount.FromConnectionString($"defaultendpointsprotocol=https;AccountName=castio;AccountKey={key};EndpointSuffix=core.windows.net;QueueEndpoint=https://q.example/");
        Assert.False(account.IsDevelopmentStorage);
        Assert.Equal("castio", account.AccountName);
        Assert.Equal(new Uri("https://castio.blob.core.windows.net"), account.BlobEndpoint);
        Assert.Equal(new Uri("https://q.example/"), account.QueueEndpoint);
        Assert.Equal(new Uri("https://castio.table.core.windows.net"), account.TableEndpoint);
    }

    [Theory]
    [InlineData("AccountName=a")]
    [InlineData("AccountName=a;AccountKey=not base64!")]
    [InlineData("garbage")]
    public void InvalidConnectionStringsAreRejected(string connectionString) =>
        Assert.Throws<FormatException>(() => StorageAccount.FromConnectionString(connectionString));

    [Fact]
    public void ConfigurationWithAConnectionStringUsesIt()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" }).Build();
        Assert.True(StorageAccount.FromConfiguration(config).IsDevelopmentStorage);
    }

    [Fact]
    public void FunctionsIdentitySettingsBuildATokenAccount()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage:accountName"] = "castio",
            ["AzureWebJobsStorage:queueServiceUri"] = "https://castioq.queue.core.windows.net",
            ["AzureWebJobsStorage:credential"] = "managedidentity",
            ["AzureWebJobsStorage:clientId"] = "00000000-0000-0000-0000-000000000001",
        }).Build();
        var account = StorageAccount.FromConfiguration(config);
        Assert.Equal("castio", account.AccountName);
        Assert.Equal(new Uri("https://castio.blob.core.windows.net"), account.BlobEndpoint);
        Assert.Equal(new Uri("https://castioq.queue.core.windows.net"), account.QueueEndpoint);
        Assert.False(account.IsDevelopmentStorage);
    }

    [Fact]
    public void MissingStorageSettingsNameTheKey()
    {
        var config = new ConfigurationBuilder().Build();
        var error = Assert.Throws<InvalidOperationException>(() => StorageAccount.FromConfiguration(config, "Custom"));
        Assert.Contains("Custom__accountName", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadLinksWithoutAKeyOrTokenAreRefused()
    {
        var account = StorageAccount.FromConnectionString("BlobEndpoint=https://a.blob.core.windows.net;QueueEndpoint=https://a.queue.core.windows.net;TableEndpoint=https://a.table.core.windows.net;SharedAccessSignature=sv=x&sig=y");
        var blob = account.Blobs.GetBlobContainerClient("files").GetBlobClient("a.txt");
        await Assert.ThrowsAsync<InvalidOperationException>(() => blob.CreateReadLinkAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken));
    }

    [Fact]
    public void UniqueNamesAreValidForEveryService()
    {
        var account = StorageAccount.FromConnectionString("UseDevelopmentStorage=true");
        var name = AzuriteFixture.UniqueName("Some-Prefix");
        Assert.Matches("^[a-z][a-z0-9]{2,62}$", name);
        Assert.NotEqual(name, AzuriteFixture.UniqueName("Some-Prefix"));
        _ = account.Tables.GetTableClient(name);
        _ = account.Queues.GetQueueClient(name);
        _ = account.Blobs.GetBlobContainerClient(name);
    }

    [Fact]
    public void RepoRootIsFoundFromTheTestOutputFolder()
    {
        var root = AzuriteProcess.FindRepoRoot(AppContext.BaseDirectory);
        Assert.NotNull(root);
        Assert.True(File.Exists(Path.Combine(root, "Castio.sln")));
    }

    [Fact]
    public void StartedAzuriteListensOnItsThreePorts()
    {
        Assert.True(AzuriteProcess.IsListening(azurite.Process.BlobPort));
        Assert.True(AzuriteProcess.IsListening(azurite.Process.QueuePort));
        Assert.True(AzuriteProcess.IsListening(azurite.Process.TablePort));
        Assert.Contains($"TableEndpoint=http://127.0.0.1:{azurite.Process.TablePort}/devstoreaccount1", azurite.ConnectionString, StringComparison.Ordinal);
        Assert.False(AzuriteProcess.IsListening(1));
    }
}
