using Azure;
using Castio.Core.Storage;
using Castio.Tests.Infrastructure;

namespace Castio.Tests.Storage;

public sealed class TableClientTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<TableClient> NewTableAsync()
    {
        var account = azurite.CreateAccount(new StorageClientOptions { JsonTypeInfoResolver = StorageTestJsonContext.Default });
        var table = account.Tables.GetTableClient(AzuriteFixture.UniqueName("t"));
        await table.CreateIfNotExistsAsync(Ct);
        return table;
    }

    private static TypedEntity Entity(string pk, string rk, string? name = null) => new() { PartitionKey = pk, RowKey = rk, Name = name ?? rk };

    [Fact]
    public async Task CreateIfNotExistsCanBeCalledTwice()
    {
        var table = await NewTableAsync();
        await table.CreateIfNotExistsAsync(Ct);
        await table.AddEntityAsync(Entity("p", "r"), Ct);
        var read = await table.GetEntityAsync<TypedEntity>("p", "r", cancellationToken: Ct);
        Assert.Equal("r", read.Value.Name);
    }

    [Fact]
    public async Task EdmTypesRoundTripExactly()
    {
        var table = await NewTableAsync();
        var at = new DateTimeOffset(2026, 10, 5, 12, 0, 0, TimeSpan.FromHours(2)).AddTicks(1234567);
        var entity = new TypedEntity
        {
            PartitionKey = "p", RowKey = "r", Name = "typed",
            Count = 42, Total = (1L << 53) + 1, Price = 5.0, Flag = true, At = at,
            When = new DateTime(2030, 1, 2, 3, 4, 5, DateTimeKind.Utc), Id = Guid.CreateVersion7(), Data = [0, 1, 2, 254, 255],
        };
        var added = await table.AddEntityAsync(entity, Ct);
        Assert.Equal(204, added.Status);
        Assert.NotNull(added.Headers.ETag);

        var read = (await table.GetEntityAsync<TypedEntity>("p", "r", cancellationToken: Ct)).Value;
        Assert.Equal(9007199254740993L, read.Total);
        Assert.Equal(at, read.At);
        Assert.Equal(at.UtcDateTime, read.At.UtcDateTime);
        Assert.Equal(entity.When, read.When);
        Assert.Equal(entity.Id, read.Id);
        Assert.Equal(entity.Data, read.Data);
        Assert.Equal(5.0, read.Price);
        Assert.True(read.Flag);
        Assert.Equal(42, read.Count);
        Assert.NotEqual(default, read.ETag);
        Assert.NotNull(read.Timestamp);

        // The service stored real Int64/DateTime/Guid/Binary values: typed comparisons match and annotations come back.
        var byTypes = TableClient.CreateQueryFilter($"PartitionKey eq {"p"} and Total eq {entity.Total} and At eq {at} and Id eq {entity.Id} and Data eq {entity.Data}");
        var matches = await CollectAsync(table.QueryAsync<TypedEntity>(byTypes, cancellationToken: Ct));
        Assert.Single(matches);
        var raw = (await table.GetEntityAsync<RawEntity>("p", "r", cancellationToken: Ct)).Value;
        Assert.Equal("9007199254740993", raw.Total);
        Assert.Equal("Edm.Int64", raw.TotalType);
        Assert.Equal("Edm.DateTime", raw.AtType);
        Assert.Equal("Edm.Guid", raw.IdType);
        Assert.Equal("Edm.Binary", raw.DataType);
    }

    [Fact]
    public async Task AddingAnExistingEntityFailsWith409()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(Entity("p", "r"), Ct);
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => table.AddEntityAsync(Entity("p", "r"), Ct));
        Assert.Equal(409, error.Status);
        Assert.Equal("EntityAlreadyExists", error.ErrorCode);
    }

    [Fact]
    public async Task UpdateWithAStaleETagFailsWith412AndKeepsTheWinner()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(Entity("p", "r", "v1"), Ct);
        var first = (await table.GetEntityAsync<TypedEntity>("p", "r", cancellationToken: Ct)).Value;
        var second = (await table.GetEntityAsync<TypedEntity>("p", "r", cancellationToken: Ct)).Value;

        first.Name = "winner";
        var updated = await table.UpdateEntityAsync(first, first.ETag, TableUpdateMode.Replace, Ct);
        Assert.NotEqual(first.ETag, updated.Headers.ETag);

        second.Name = "loser";
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => table.UpdateEntityAsync(second, second.ETag, TableUpdateMode.Merge, Ct));
        Assert.Equal(412, error.Status);
        Assert.Equal("UpdateConditionNotSatisfied", error.ErrorCode);
        Assert.Equal("winner", (await table.GetEntityAsync<TypedEntity>("p", "r", cancellationToken: Ct)).Value.Name);

        await table.UpdateEntityAsync(second, ETag.All, TableUpdateMode.Merge, Ct);
        Assert.Equal("loser", (await table.GetEntityAsync<TypedEntity>("p", "r", cancellationToken: Ct)).Value.Name);
    }

    [Fact]
    public async Task UpdateRequiresAnExplicitETag()
    {
        var table = await NewTableAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => table.UpdateEntityAsync(Entity("p", "r"), default, cancellationToken: Ct));
    }

    [Fact]
    public async Task UpdatingAMissingEntityFailsWith404()
    {
        var table = await NewTableAsync();
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => table.UpdateEntityAsync(Entity("p", "missing"), ETag.All, cancellationToken: Ct));
        Assert.Equal(404, error.Status);
    }

    [Fact]
    public async Task UpsertMergeKeepsOtherPropertiesAndReplaceDropsThem()
    {
        var table = await NewTableAsync();
        await table.UpsertEntityAsync(new TypedEntity { PartitionKey = "p", RowKey = "r", Name = "n", Total = 7 }, TableUpdateMode.Replace, Ct);

        await table.UpsertEntityAsync(new TypedEntity { PartitionKey = "p", RowKey = "r", Name = null, Count = 3 }, TableUpdateMode.Merge, Ct);
        var merged = (await table.GetEntityAsync<TypedEntity>("p", "r", cancellationToken: Ct)).Value;
        Assert.Equal("n", merged.Name);
        Assert.Equal(3, merged.Count);

        await table.UpsertEntityAsync(new TypedEntity { PartitionKey = "p", RowKey = "r", Name = null, Count = 4 }, TableUpdateMode.Replace, Ct);
        var replaced = (await table.GetEntityAsync<TypedEntity>("p", "r", cancellationToken: Ct)).Value;
        Assert.Null(replaced.Name);
        Assert.Equal(4, replaced.Count);
    }

    [Fact]
    public async Task DeleteHonoursETagsAndMissingEntitiesAre404()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(Entity("p", "r"), Ct);
        var current = (await table.GetEntityAsync<TypedEntity>("p", "r", cancellationToken: Ct)).Value;
        await table.UpsertEntityAsync(Entity("p", "r", "changed"), cancellationToken: Ct);

        var stale = await Assert.ThrowsAsync<RequestFailedException>(() => table.DeleteEntityAsync("p", "r", current.ETag, Ct));
        Assert.Equal(412, stale.Status);

        await table.DeleteEntityAsync("p", "r", cancellationToken: Ct);
        var missing = await Assert.ThrowsAsync<RequestFailedException>(() => table.GetEntityAsync<TypedEntity>("p", "r", cancellationToken: Ct));
        Assert.Equal(404, missing.Status);
        Assert.Equal("ResourceNotFound", missing.ErrorCode);
        Assert.False((await table.GetEntityIfExistsAsync<TypedEntity>("p", "r", cancellationToken: Ct)).HasValue);
        var again = await Assert.ThrowsAsync<RequestFailedException>(() => table.DeleteEntityAsync("p", "r", cancellationToken: Ct));
        Assert.Equal(404, again.Status);
    }

    [Fact]
    public async Task KeysWithQuotesSpacesAndUnicodeAreAddressable()
    {
        var table = await NewTableAsync();
        const string pk = "O'Neil & Sons";
        const string rk = "ré sumé 'x'%20+";
        await table.AddEntityAsync(Entity(pk, rk, "quoted"), Ct);
        var read = await table.GetEntityIfExistsAsync<TypedEntity>(pk, rk, cancellationToken: Ct);
        Assert.True(read.HasValue);
        Assert.Equal(pk, read.Value!.PartitionKey);
        Assert.Equal(rk, read.Value.RowKey);
        await table.DeleteEntityAsync(pk, rk, cancellationToken: Ct);
        Assert.False((await table.GetEntityIfExistsAsync<TypedEntity>(pk, rk, cancellationToken: Ct)).HasValue);
    }

    [Fact]
    public async Task GetWithSelectReturnsOnlyTheSelectedProperties()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TypedEntity { PartitionKey = "p", RowKey = "r", Name = "n", Count = 9 }, Ct);
        var read = (await table.GetEntityAsync<TypedEntity>("p", "r", ["Count"], Ct)).Value;
        Assert.Equal(9, read.Count);
        Assert.Null(read.Name);
    }

    [Fact]
    public async Task QueryFollowsContinuationAcrossMoreThanAThousandEntities()
    {
        var table = await NewTableAsync();
        const int total = 1050;
        for (var batch = 0; batch < total / 100 + 1; batch++)
        {
            var actions = Enumerable.Range(batch * 100, Math.Min(100, total - batch * 100))
                .Select(i => new TableTransactionAction(TableTransactionActionType.Add, Entity("bulk", i.ToString("D5"))))
                .ToList();
            if (actions.Count > 0) await table.SubmitTransactionAsync(actions, Ct);
        }
        await table.AddEntityAsync(Entity("other", "x"), Ct);

        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {"bulk"}");
        var all = await CollectAsync(table.QueryAsync<TypedEntity>(filter, cancellationToken: Ct));
        Assert.Equal(total, all.Count);
        Assert.Equal(total, all.Select(e => e.RowKey).Distinct().Count());

        var pages = table.QueryAsync<TypedEntity>(filter, cancellationToken: Ct).AsPages().GetAsyncEnumerator(Ct);
        Assert.True(await pages.MoveNextAsync());
        var first = pages.Current;
        Assert.Equal(1000, first.Values.Count);
        Assert.NotNull(first.ContinuationToken);
        await pages.DisposeAsync();

        var rest = new List<TypedEntity>();
        await foreach (var page in table.QueryAsync<TypedEntity>(filter, cancellationToken: Ct).AsPages(first.ContinuationToken))
        {
            rest.AddRange(page.Values);
        }
        Assert.Equal(total - 1000, rest.Count);
        Assert.Empty(rest.Select(e => e.RowKey).Intersect(first.Values.Select(e => e.RowKey)));
    }

    [Fact]
    public async Task QueryHonoursMaxPerPageAndSelect()
    {
        var table = await NewTableAsync();
        await table.SubmitTransactionAsync(Enumerable.Range(0, 25)
            .Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TypedEntity { PartitionKey = "p", RowKey = $"r{i:D2}", Name = "n", Count = i })), Ct);

        var sizes = new List<int>();
        await foreach (var page in table.QueryAsync<TypedEntity>(maxPerPage: 10, select: ["Count"], cancellationToken: Ct).AsPages())
        {
            sizes.Add(page.Values.Count);
            Assert.All(page.Values, e => Assert.Null(e.Name));
        }
        Assert.Equal([10, 10, 5], sizes);
        var small = table.QueryAsync<TypedEntity>(cancellationToken: Ct).AsPages(pageSizeHint: 20);
        Assert.Equal(20, (await FirstAsync(small)).Values.Count);
    }

    [Fact]
    public async Task HostileFilterValuesCannotWidenTheQuery()
    {
        var table = await NewTableAsync();
        const string hostile = "x' or PartitionKey ne '";
        await table.AddEntityAsync(Entity("p", "plain", "plain"), Ct);
        await table.AddEntityAsync(Entity("q", "other", "other"), Ct);

        var none = await CollectAsync(table.QueryAsync<TypedEntity>(TableClient.CreateQueryFilter($"Name eq {hostile}"), cancellationToken: Ct));
        Assert.Empty(none);
        var unsafeFilter = $"Name eq '{hostile}'";
        var widened = await CollectAsync(table.QueryAsync<TypedEntity>(unsafeFilter, cancellationToken: Ct));
        Assert.Equal(2, widened.Count); // proves the value above is really hostile when spliced raw

        await table.AddEntityAsync(Entity("p", "evil", hostile), Ct);
        var exact = await CollectAsync(table.QueryAsync<TypedEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {"p"} and Name eq {hostile}"), cancellationToken: Ct));
        Assert.Equal("evil", Assert.Single(exact).RowKey);
    }

    [Fact]
    public async Task TransactionAppliesEveryActionKind()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(Entity("p", "update", "old"), Ct);
        await table.AddEntityAsync(Entity("p", "delete"), Ct);
        await table.AddEntityAsync(new TypedEntity { PartitionKey = "p", RowKey = "merge", Name = "kept", Count = 1 }, Ct);
        var toUpdate = (await table.GetEntityAsync<TypedEntity>("p", "update", cancellationToken: Ct)).Value;
        toUpdate.Name = "new";

        var result = await table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Add, Entity("p", "add")),
            new(TableTransactionActionType.UpdateReplace, toUpdate, toUpdate.ETag),
            new(TableTransactionActionType.Delete, Entity("p", "delete")),
            new(TableTransactionActionType.UpdateMerge, new TypedEntity { PartitionKey = "p", RowKey = "merge", Count = 2 }),
            new(TableTransactionActionType.UpsertReplace, Entity("p", "upsert1")),
            new(TableTransactionActionType.UpsertMerge, Entity("p", "upsert2")),
        ], Ct);

        Assert.Equal(6, result.Value.Count);
        Assert.All(result.Value, r => Assert.Equal(204, r.Status));
        var rows = (await CollectAsync(table.QueryAsync<TypedEntity>(cancellationToken: Ct))).ToDictionary(e => e.RowKey);
        Assert.Equal(["add", "merge", "update", "upsert1", "upsert2"], rows.Keys.Order());
        Assert.Equal("new", rows["update"].Name);
        Assert.Equal("kept", rows["merge"].Name);
        Assert.Equal(2, rows["merge"].Count);
    }

    [Fact]
    public async Task FailedTransactionAppliesNothingAndNamesTheFailingAction()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(Entity("p", "taken"), Ct);

        var error = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Add, Entity("p", "fresh")),
            new(TableTransactionActionType.Add, Entity("p", "taken")),
        ], Ct));

        Assert.Equal(409, error.Status);
        Assert.Equal("EntityAlreadyExists", error.ErrorCode);
        Assert.Equal(1, error.FailedTransactionActionIndex);
        Assert.False((await table.GetEntityIfExistsAsync<TypedEntity>("p", "fresh", cancellationToken: Ct)).HasValue);
    }

    [Fact]
    public async Task TransactionWithAStaleETagFailsWith412()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(Entity("p", "r"), Ct);
        var read = (await table.GetEntityAsync<TypedEntity>("p", "r", cancellationToken: Ct)).Value;
        await table.UpsertEntityAsync(Entity("p", "r", "moved on"), cancellationToken: Ct);

        var error = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitTransactionAsync(
            [new(TableTransactionActionType.Delete, read, read.ETag)], Ct));
        Assert.Equal(412, error.Status);
        Assert.Equal(0, error.FailedTransactionActionIndex);
    }

    [Fact]
    public async Task TransactionsAreValidatedBeforeSending()
    {
        var table = await NewTableAsync();
        var tooMany = Enumerable.Range(0, 101).Select(i => new TableTransactionAction(TableTransactionActionType.Add, Entity("p", $"r{i}")));
        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync(tooMany, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync(
            [new(TableTransactionActionType.Add, Entity("p", "a")), new(TableTransactionActionType.Add, Entity("q", "b"))], Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync(
            [new(TableTransactionActionType.Add, Entity("p", "a")), new(TableTransactionActionType.Delete, Entity("p", "a"))], Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync([], Ct));
        Assert.Empty(await CollectAsync(table.QueryAsync<TypedEntity>(cancellationToken: Ct)));
    }

    [Fact]
    public async Task DeletedTableAnswers404()
    {
        var table = await NewTableAsync();
        await table.DeleteAsync(Ct);
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => table.AddEntityAsync(Entity("p", "r"), Ct));
        Assert.Equal(404, error.Status);
    }

    [Fact]
    public async Task InvalidNamesAndKeysAreRejectedLocally()
    {
        var tables = azurite.CreateAccount().Tables;
        Assert.Throws<ArgumentException>(() => tables.GetTableClient("1abc"));
        Assert.Throws<ArgumentException>(() => tables.GetTableClient("ab-c"));
        var table = tables.GetTableClient("valid1");
        await Assert.ThrowsAsync<ArgumentException>(() => table.DeleteEntityAsync("a/b", "r", cancellationToken: Ct));
    }

    [Fact]
    public void CreateQueryFilterFormatsAndEscapesEveryHole()
    {
        var at = new DateTimeOffset(2026, 10, 5, 12, 0, 0, TimeSpan.Zero);
        var id = Guid.Parse("0192f7a0-0000-7000-8000-000000000001");
        var filter = TableClient.CreateQueryFilter(
            $"A eq {"O'Neil"} and B eq {at} and C eq {id} and D eq {9000000000L} and E eq {true} and F eq {new byte[] { 10, 11 }} and G eq {5}");
        Assert.Equal(
            "A eq 'O''Neil' and B eq datetime'2026-10-05T12:00:00.0000000Z' and C eq guid'0192f7a0-0000-7000-8000-000000000001' " +
            "and D eq 9000000000L and E eq true and F eq X'0a0b' and G eq 5", filter);
    }

    private static async Task<List<T>> CollectAsync<T>(AsyncPageable<T> pageable) where T : notnull
    {
        var list = new List<T>();
        await foreach (var item in pageable) list.Add(item);
        return list;
    }

    private static async Task<Page<T>> FirstAsync<T>(IAsyncEnumerable<Page<T>> pages) where T : notnull
    {
        await foreach (var page in pages) return page;
        throw new InvalidOperationException("No page.");
    }
}
