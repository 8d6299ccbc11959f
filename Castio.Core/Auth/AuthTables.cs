using Azure.Data.Tables;
using Castio.Core.Storage;

namespace Castio.Core.Auth;

/// <summary>
/// The tables sign-in owns, created on first use.
/// <list type="bullet">
/// <item><c>sessions</c>: partition = user (<see cref="SessionKeys"/>); refresh families and tokens.</item>
/// <item><c>tokenindex</c>: partition = token hash; which org (and user) holds a refresh or invite token.</item>
/// </list>
/// </summary>
public sealed class AuthTables
{
    // Base names, as expiry pointers name their tables.
    public const string SessionsTable = "sessions";
    public const string TokenIndexTable = "tokenindex";

    private readonly CreateOnce _created;

    public AuthTables(TableServiceClient tables, string namePrefix = "")
    {
        Sessions = tables.GetTableClient(namePrefix + SessionsTable);
        TokenIndex = tables.GetTableClient(namePrefix + TokenIndexTable);
        _created = new CreateOnce(ct => Task.WhenAll(Sessions.CreateIfNotExistsAsync(ct), TokenIndex.CreateIfNotExistsAsync(ct)));
    }

    public TableClient Sessions { get; }
    public TableClient TokenIndex { get; }

    public Task EnsureCreatedAsync(CancellationToken cancellationToken) => _created.EnsureAsync(cancellationToken);
}
