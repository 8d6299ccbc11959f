using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Castio.Core.Storage;
using Castio.Tests.Infrastructure;

namespace Castio.Tests.Storage;

/// <summary>Group commit: a burst to one partition costs few requests, and each caller still gets its own outcome.</summary>
public class TableBatcherTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ABurstOfWritesToOnePartitionIsStoredInFarFewerRequestsThanWrites()
    {
        var (table, requests) = await TableAsync();
        var batcher = new TableBatcher();
        requests.Reset();
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            batcher.SubmitAsync(table, new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", $"r{i:D3}") { ["N"] = i }), cancellationToken: Ct)));

        var stored = await table.QueryAsync<TableEntity>(e => e.PartitionKey == "p", cancellationToken: Ct).ToListAsync(Ct);
        Assert.Equal(Enumerable.Range(0, 200), stored.Select(e => e.GetInt32("N")!.Value).Order());
        Assert.InRange(requests.Count, 2, 50);
    }

    [Fact]
    public async Task OneFailingActionFailsOnlyItsOwnCallerAndTheRestAreStored()
    {
        var (table, _) = await TableAsync();
        await table.AddEntityAsync(new TableEntity("p", "r007") { ["N"] = -1 }, Ct);
        var batcher = new TableBatcher();
        var writes = Enumerable.Range(0, 40).Select(i =>
            batcher.SubmitAsync(table, new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", $"r{i:D3}") { ["N"] = i }), cancellationToken: Ct)).ToList();

        var failure = await Assert.ThrowsAsync<RequestFailedException>(() => writes[7]);
        Assert.Equal(409, failure.Status);
        await Task.WhenAll(writes.Where((_, i) => i != 7));
        var stored = (await table.QueryAsync<TableEntity>(e => e.PartitionKey == "p", cancellationToken: Ct).ToListAsync(Ct)).ToDictionary(e => e.RowKey, e => e.GetInt32("N"));
        Assert.Equal(40, stored.Count);
        Assert.Equal(-1, stored["r007"]);
    }

    [Fact]
    public async Task AGroupIsStoredAllOrNoneWhileTheOtherWritesOfItsTransactionAreStored()
    {
        var (table, _) = await TableAsync();
        await table.AddEntityAsync(new TableEntity("p", "taken"), Ct);
        var batcher = new TableBatcher();
        var others = Enumerable.Range(0, 20).Select(i =>
            batcher.SubmitAsync(table, new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", $"r{i:D3}")), cancellationToken: Ct)).ToList();
        var group = batcher.SubmitGroupAsync(table,
            [new(TableTransactionActionType.Add, new TableEntity("p", "new")), new(TableTransactionActionType.Add, new TableEntity("p", "taken"))], cancellationToken: Ct);

        Assert.Equal(409, (await Assert.ThrowsAsync<RequestFailedException>(() => group)).Status);
        await Task.WhenAll(others);
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>("p", "new", cancellationToken: Ct)).HasValue);
        Assert.Equal(21, await table.QueryAsync<TableEntity>(e => e.PartitionKey == "p", cancellationToken: Ct).CountAsync(Ct));
    }

    [Fact]
    public async Task WritesToOneRowKeepTheirOrderAndEachGetsItsETag()
    {
        var (table, _) = await TableAsync();
        await table.AddEntityAsync(new TableEntity("p", "same") { ["N"] = -1 }, Ct);
        var batcher = new TableBatcher();
        // Updates (unlike upserts, which may be joined into one write) each go as their own action.
        var etags = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            batcher.SubmitAsync(table, new TableTransactionAction(TableTransactionActionType.UpdateReplace, new TableEntity("p", "same") { ["N"] = i }, ETag.All), cancellationToken: Ct)));

        var row = (await table.GetEntityAsync<TableEntity>("p", "same", cancellationToken: Ct)).Value;
        Assert.Equal(29, row.GetInt32("N"));
        Assert.Equal(row.ETag, etags[^1]);
        Assert.Equal(30, etags.Distinct().Count());
    }

    [Fact]
    public async Task UpsertsOfOneRowThatQueueTogetherGoAsOneWriteAndLeaveWhatTheyWouldInTurn()
    {
        var (table, requests) = await TableAsync();
        var batcher = new TableBatcher();
        requests.Reset();
        var writes = Enumerable.Range(0, 30).Select(i =>
            batcher.SubmitAsync(table, new TableTransactionAction(TableTransactionActionType.UpsertMerge, new TableEntity("p", "marked") { [$"P{i}"] = i, ["Last"] = i }), cancellationToken: Ct)).ToList();
        await Task.WhenAll(writes);

        var row = (await table.GetEntityAsync<TableEntity>("p", "marked", cancellationToken: Ct)).Value;
        Assert.Equal(29, row.GetInt32("Last"));
        Assert.All(Enumerable.Range(0, 30), i => Assert.Equal(i, row.GetInt32($"P{i}")));
        Assert.InRange(requests.Count, 1, 3);
    }

    [Fact]
    public async Task AReplaceAmongQueuedMergesOfARowDropsWhatCameBeforeIt()
    {
        var (table, _) = await TableAsync();
        var batcher = new TableBatcher();
        TableTransactionAction Upsert(TableTransactionActionType type, string name) => new(type, new TableEntity("p", "row") { [name] = name });

        await Task.WhenAll(
            batcher.SubmitAsync(table, Upsert(TableTransactionActionType.UpsertMerge, "A"), cancellationToken: Ct),
            batcher.SubmitAsync(table, Upsert(TableTransactionActionType.UpsertMerge, "B"), cancellationToken: Ct),
            batcher.SubmitAsync(table, Upsert(TableTransactionActionType.UpsertReplace, "C"), cancellationToken: Ct),
            batcher.SubmitAsync(table, Upsert(TableTransactionActionType.UpsertMerge, "D"), cancellationToken: Ct));

        var row = (await table.GetEntityAsync<TableEntity>("p", "row", cancellationToken: Ct)).Value;
        Assert.Equal(["C", "D"], row.Keys.Where(k => k.Length == 1).Order());
    }

    private async Task<(TableClient Table, StorageRequestLog Requests)> TableAsync()
    {
        var requests = new StorageRequestLog();
        var table = requests.Client(azurite.ConnectionString).GetTableClient(AzuriteFixture.UniqueName("batch"));
        await table.CreateIfNotExistsAsync(Ct);
        return (table, requests);
    }
}
