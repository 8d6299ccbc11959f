using Azure;

namespace Castio.Core.Storage;

/// <summary>Pages fetched on demand from a continuation token; works with <c>await foreach</c> and <c>AsPages(token, size)</c>.</summary>
internal sealed class StoragePageable<T>(Func<string?, int?, CancellationToken, Task<Page<T>>> fetch, int? defaultPageSize, CancellationToken cancellationToken)
    : AsyncPageable<T>(cancellationToken) where T : notnull
{
    public override async IAsyncEnumerable<Page<T>> AsPages(string? continuationToken = null, int? pageSizeHint = null)
    {
        var token = continuationToken;
        do
        {
            var page = await fetch(token, pageSizeHint ?? defaultPageSize, CancellationToken).ConfigureAwait(false);
            yield return page;
            token = page.ContinuationToken;
        }
        while (!string.IsNullOrEmpty(token));
    }
}
