using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure;
using Azure.Core;

namespace Castio.Core.Storage;

/// <summary>Entry point to the Table service of one account.</summary>
public class TableServiceClient
{
    private readonly StoragePipeline _pipeline = null!;
    private readonly JsonSerializerOptions _json = null!;

    /// <summary>For mocking only.</summary>
    protected TableServiceClient() { }

    internal TableServiceClient(StoragePipeline pipeline)
    {
        _pipeline = pipeline;
        _json = new JsonSerializerOptions { TypeInfoResolver = pipeline.Options.JsonTypeInfoResolver ?? StorageJsonContext.Default };
    }

    /// <summary>A client for one table (no request is sent).</summary>
    public virtual TableClient GetTableClient(string tableName) => new(_pipeline, _json, tableName);
}

/// <summary>Operations on one table: entities, queries and entity-group transactions.</summary>
public partial class TableClient
{
    private const string Accept = "application/json;odata=minimalmetadata";
    private const int MaxTransactionActions = 100;

    private readonly StoragePipeline _pipeline = null!;
    private readonly JsonSerializerOptions _json = null!;

    /// <summary>For mocking only.</summary>
    protected TableClient() { Name = ""; }

    internal TableClient(StoragePipeline pipeline, JsonSerializerOptions json, string tableName)
    {
        if (!TableNameRegex().IsMatch(tableName ?? ""))
        {
            throw new ArgumentException("Table names are 3-63 letters or digits and start with a letter.", nameof(tableName));
        }
        _pipeline = pipeline;
        _json = json;
        Name = tableName!;
    }

    /// <summary>The table name.</summary>
    public string Name { get; }

    /// <summary>Creates the table unless it already exists.</summary>
    public virtual async Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = NewMessage(RequestMethod.Post, "Tables");
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        SetJsonBody(message, new JsonObject { ["TableName"] = Name });
        await _pipeline.Pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status is 201 or 204) return;
        var error = StoragePipeline.CreateException(response);
        if (response.Status == 409 && error.ErrorCode == "TableAlreadyExists") return;
        throw error;
    }

    /// <summary>Deletes the table (404 if it does not exist).</summary>
    public virtual async Task DeleteAsync(CancellationToken cancellationToken = default)
    {
        using var message = NewMessage(RequestMethod.Delete, $"Tables('{Name}')");
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Inserts an entity; 409 EntityAlreadyExists if the keys are taken. The response carries the new ETag.</summary>
    public virtual async Task<Response> AddEntityAsync<T>(T entity, CancellationToken cancellationToken = default) where T : class, ITableEntity
    {
        ValidateEntity(entity);
        using var message = NewMessage(RequestMethod.Post, Name);
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        SetJsonBody(message, TableEntityJson.Serialize(entity, _json));
        return await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Inserts or merges/replaces an entity regardless of its current state.</summary>
    public virtual async Task<Response> UpsertEntityAsync<T>(T entity, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default) where T : class, ITableEntity
    {
        ValidateEntity(entity);
        using var message = NewMessage(mode == TableUpdateMode.Merge ? RequestMethod.Patch : RequestMethod.Put, EntityPath(entity.PartitionKey, entity.RowKey));
        SetJsonBody(message, TableEntityJson.Serialize(entity, _json));
        return await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Updates an existing entity if its ETag still matches (pass <see cref="ETag.All"/> for an unconditional update); 412 on mismatch, 404 if missing.</summary>
    public virtual async Task<Response> UpdateEntityAsync<T>(T entity, ETag ifMatch, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default) where T : class, ITableEntity
    {
        ValidateEntity(entity);
        if (ifMatch == default)
        {
            throw new ArgumentException("Pass the entity's ETag, or ETag.All for an unconditional update.", nameof(ifMatch));
        }
        using var message = NewMessage(mode == TableUpdateMode.Merge ? RequestMethod.Patch : RequestMethod.Put, EntityPath(entity.PartitionKey, entity.RowKey));
        message.Request.Headers.SetValue("If-Match", ifMatch.ToString());
        SetJsonBody(message, TableEntityJson.Serialize(entity, _json));
        return await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes an entity if its ETag matches (default: any); 404 if missing, 412 on mismatch.</summary>
    public virtual async Task<Response> DeleteEntityAsync(string partitionKey, string rowKey, ETag ifMatch = default, CancellationToken cancellationToken = default)
    {
        ValidateKeys(partitionKey, rowKey);
        using var message = NewMessage(RequestMethod.Delete, EntityPath(partitionKey, rowKey));
        message.Request.Headers.SetValue("If-Match", ifMatch == default ? "*" : ifMatch.ToString());
        return await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one entity; throws <see cref="RequestFailedException"/> with status 404 if it does not exist.</summary>
    public virtual async Task<Response<T>> GetEntityAsync<T>(string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default) where T : class, ITableEntity
    {
        var result = await GetEntityCoreAsync<T>(partitionKey, rowKey, select, throwIfMissing: true, cancellationToken).ConfigureAwait(false);
        return (Response<T>)result;
    }

    /// <summary>Reads one entity; <see cref="NullableResponse{T}.HasValue"/> is false if it does not exist.</summary>
    public virtual Task<NullableResponse<T>> GetEntityIfExistsAsync<T>(string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default) where T : class, ITableEntity =>
        GetEntityCoreAsync<T>(partitionKey, rowKey, select, throwIfMissing: false, cancellationToken);

    private async Task<NullableResponse<T>> GetEntityCoreAsync<T>(string partitionKey, string rowKey, IEnumerable<string>? select, bool throwIfMissing, CancellationToken cancellationToken) where T : class, ITableEntity
    {
        ValidateKeys(partitionKey, rowKey);
        var query = select is null ? null : "$select=" + Uri.EscapeDataString(string.Join(',', select));
        using var message = NewMessage(RequestMethod.Get, EntityPath(partitionKey, rowKey), query);
        await _pipeline.Pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status == 404 && !throwIfMissing) return new NoValueResponse<T>(response);
        if (response.Status != 200) throw StoragePipeline.CreateException(response);
        var json = JsonNode.Parse(response.Content.ToMemory().Span) as JsonObject ?? throw new JsonException("Expected an entity object.");
        response.Headers.TryGetValue("ETag", out var etag);
        return Response.FromValue(TableEntityJson.Deserialize<T>(json, _json, etag), response);
    }

    /// <summary>
    /// Queries entities with an OData filter (build it with <see cref="CreateQueryFilter"/>). Pages follow the
    /// service's continuation headers; <paramref name="maxPerPage"/> maps to <c>$top</c> (1-1000).
    /// </summary>
    public virtual AsyncPageable<T> QueryAsync<T>(string? filter = null, int? maxPerPage = null, IEnumerable<string>? select = null, CancellationToken cancellationToken = default) where T : class, ITableEntity
    {
        if (maxPerPage is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(maxPerPage), "1-1000");
        var selectList = select is null ? null : string.Join(',', select);
        return new StoragePageable<T>((token, pageSize, ct) => QueryPageAsync<T>(filter, selectList, pageSize, token, ct), maxPerPage, cancellationToken);
    }

    private async Task<Page<T>> QueryPageAsync<T>(string? filter, string? select, int? top, string? continuation, CancellationToken cancellationToken) where T : class, ITableEntity
    {
        var query = new List<string>();
        if (!string.IsNullOrEmpty(filter)) query.Add("$filter=" + Uri.EscapeDataString(filter));
        if (select is not null) query.Add("$select=" + Uri.EscapeDataString(select));
        if (top is { } t) query.Add("$top=" + Math.Clamp(t, 1, 1000).ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(continuation))
        {
            // Our token = "{NextPartitionKey} {NextRowKey}"; service tokens never contain spaces.
            var parts = continuation.Split(' ', 2);
            query.Add("NextPartitionKey=" + Uri.EscapeDataString(parts[0]));
            if (parts.Length > 1 && parts[1].Length > 0) query.Add("NextRowKey=" + Uri.EscapeDataString(parts[1]));
        }
        using var message = NewMessage(RequestMethod.Get, Name + "()", query.Count == 0 ? null : string.Join('&', query));
        var response = await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var body = JsonNode.Parse(response.Content.ToMemory().Span);
        var items = new List<T>();
        if (body?["value"] is JsonArray values)
        {
            foreach (var item in values)
            {
                if (item is JsonObject obj) items.Add(TableEntityJson.Deserialize<T>(obj, _json, null));
            }
        }
        string? next = null;
        if (response.Headers.TryGetValue("x-ms-continuation-NextPartitionKey", out var nextPk) && !string.IsNullOrEmpty(nextPk))
        {
            response.Headers.TryGetValue("x-ms-continuation-NextRowKey", out var nextRk);
            next = nextPk + " " + nextRk;
        }
        return Page<T>.FromValues(items, next, response);
    }

    /// <summary>
    /// Submits up to 100 actions on one partition as one all-or-nothing entity-group transaction (spec §4.6).
    /// On failure throws <see cref="TableTransactionFailedException"/> naming the failing action.
    /// </summary>
    public virtual async Task<Response<IReadOnlyList<Response>>> SubmitTransactionAsync(IEnumerable<TableTransactionAction> actions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actions);
        var list = actions.ToList();
        if (list.Count == 0) throw new ArgumentException("A transaction needs at least one action.", nameof(actions));
        if (list.Count > MaxTransactionActions) throw new ArgumentException($"A transaction holds at most {MaxTransactionActions} actions.", nameof(actions));
        var partition = list[0].Entity?.PartitionKey;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var action in list)
        {
            ArgumentNullException.ThrowIfNull(action, nameof(actions));
            ValidateEntity(action.Entity);
            if (action.Entity.PartitionKey != partition) throw new ArgumentException("All actions of a transaction must share one PartitionKey.", nameof(actions));
            if (!seen.Add(action.Entity.RowKey)) throw new ArgumentException($"RowKey '{action.Entity.RowKey}' appears more than once in the transaction.", nameof(actions));
        }

        var batchBoundary = "batch_" + Guid.CreateVersion7().ToString("N");
        var changesetBoundary = "changeset_" + Guid.CreateVersion7().ToString("N");
        var body = BuildBatchBody(list, batchBoundary, changesetBoundary);
        using var message = NewMessage(RequestMethod.Post, "$batch");
        message.Request.Headers.SetValue("Content-Type", $"multipart/mixed; boundary={batchBoundary}");
        message.Request.Content = RequestContent.Create(Encoding.UTF8.GetBytes(body));
        var response = await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);

        var parts = TableBatchResponse.Parse(response.Content.ToString());
        var failed = parts.FirstOrDefault(p => p.Status >= 400);
        if (failed is not null)
        {
            var (code, text) = TableBatchResponse.ParseError(failed);
            int? index = null;
            var match = Regex.Match(text ?? "", @"^(\d+):");
            if (match.Success && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var i)) index = i;
            else if (list.Count == 1) index = 0;
            throw new TableTransactionFailedException(failed.Status,
                $"The transaction failed at action {index?.ToString(CultureInfo.InvariantCulture) ?? "?"}: {failed.Status} {code}. {text}", code, index);
        }
        if (parts.Count != list.Count)
        {
            throw new RequestFailedException(response.Status, $"The transaction response had {parts.Count} parts for {list.Count} actions.", null, null);
        }
        return Response.FromValue<IReadOnlyList<Response>>(parts, response);
    }

    private string BuildBatchBody(List<TableTransactionAction> actions, string batchBoundary, string changesetBoundary)
    {
        var sb = new StringBuilder();
        sb.Append("--").Append(batchBoundary).Append("\r\n");
        sb.Append("Content-Type: multipart/mixed; boundary=").Append(changesetBoundary).Append("\r\n\r\n");
        foreach (var action in actions)
        {
            var entity = action.Entity;
            var (method, url, ifMatch, hasBody) = action.ActionType switch
            {
                TableTransactionActionType.Add => ("POST", _pipeline.Url(Name), null, true),
                TableTransactionActionType.UpdateMerge => ("MERGE", _pipeline.Url(EntityPath(entity.PartitionKey, entity.RowKey)), ETagOrAll(action.ETag), true),
                TableTransactionActionType.UpdateReplace => ("PUT", _pipeline.Url(EntityPath(entity.PartitionKey, entity.RowKey)), ETagOrAll(action.ETag), true),
                TableTransactionActionType.Delete => ("DELETE", _pipeline.Url(EntityPath(entity.PartitionKey, entity.RowKey)), ETagOrAll(action.ETag), false),
                TableTransactionActionType.UpsertMerge => ("MERGE", _pipeline.Url(EntityPath(entity.PartitionKey, entity.RowKey)), null, true),
                TableTransactionActionType.UpsertReplace => ("PUT", _pipeline.Url(EntityPath(entity.PartitionKey, entity.RowKey)), null, true),
                _ => throw new ArgumentOutOfRangeException(nameof(actions), action.ActionType, "Unknown action type."),
            };
            sb.Append("--").Append(changesetBoundary).Append("\r\n");
            sb.Append("Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n");
            sb.Append(method).Append(' ').Append(url).Append(" HTTP/1.1\r\n");
            sb.Append("Accept: ").Append(Accept).Append("\r\n");
            if (hasBody) sb.Append("Content-Type: application/json\r\n");
            if (action.ActionType == TableTransactionActionType.Add) sb.Append("Prefer: return-no-content\r\n");
            if (ifMatch is not null) sb.Append("If-Match: ").Append(ifMatch).Append("\r\n");
            sb.Append("DataServiceVersion: 3.0\r\n\r\n");
            if (hasBody) sb.Append(TableEntityJson.Serialize(entity, _json).ToJsonString());
            sb.Append("\r\n");
        }
        sb.Append("--").Append(changesetBoundary).Append("--\r\n");
        sb.Append("--").Append(batchBoundary).Append("--\r\n");
        return sb.ToString();
    }

    private static string ETagOrAll(ETag etag) => etag == default ? "*" : etag.ToString();

    /// <summary>
    /// Builds an OData filter from an interpolated string, escaping every hole: strings are quoted with
    /// quotes doubled, DateTime(Offset) → <c>datetime'…'</c>, Guid → <c>guid'…'</c>, long → <c>…L</c>,
    /// bool → true/false, byte[] → <c>X'…'</c>. A hostile value cannot change the query's shape.
    /// </summary>
    public static string CreateQueryFilter(FormattableString filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var args = filter.GetArguments().Select(FormatLiteral).ToArray<object?>();
        return string.Format(CultureInfo.InvariantCulture, filter.Format, args);
    }

    internal static string FormatLiteral(object? value) => value switch
    {
        null => "null",
        string s => Quote(s),
        char c => Quote(c.ToString()),
        bool b => b ? "true" : "false",
        DateTimeOffset dto => $"datetime'{dto.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture)}'",
        DateTime dt => $"datetime'{(dt.Kind == DateTimeKind.Local ? dt.ToUniversalTime() : dt).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture)}'",
        Guid g => $"guid'{g:D}'",
        long l => l.ToString(CultureInfo.InvariantCulture) + "L",
        int or short or byte or sbyte or ushort => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        uint u => ((long)u).ToString(CultureInfo.InvariantCulture) + "L",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => ((double)f).ToString("R", CultureInfo.InvariantCulture),
        decimal m => m.ToString(CultureInfo.InvariantCulture),
        byte[] bytes => $"X'{Convert.ToHexStringLower(bytes)}'",
        BinaryData data => $"X'{Convert.ToHexStringLower(data.ToArray())}'",
        // Anything else is compared as text: quoted and escaped, never spliced raw.
        _ => Quote(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""),
    };

    private static string Quote(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";

    private HttpMessage NewMessage(RequestMethod method, string path, string? query = null)
    {
        var message = _pipeline.CreateMessage(method, _pipeline.Url(path, query));
        message.Request.Headers.SetValue("Accept", Accept);
        message.Request.Headers.SetValue("DataServiceVersion", "3.0");
        message.Request.Headers.SetValue("MaxDataServiceVersion", "3.0;NetFx");
        return message;
    }

    private static void SetJsonBody(HttpMessage message, JsonObject json)
    {
        message.Request.Headers.SetValue("Content-Type", "application/json");
        message.Request.Content = RequestContent.Create(Encoding.UTF8.GetBytes(json.ToJsonString()));
    }

    /// <summary><c>{table}(PartitionKey='…',RowKey='…')</c>: quotes doubled, then percent-encoded except the quote (spec §4.2).</summary>
    private string EntityPath(string partitionKey, string rowKey) =>
        $"{Name}(PartitionKey='{EscapeKey(partitionKey)}',RowKey='{EscapeKey(rowKey)}')";

    private static string EscapeKey(string key) =>
        Uri.EscapeDataString(key.Replace("'", "''", StringComparison.Ordinal)).Replace("%27", "'", StringComparison.Ordinal);

    private static void ValidateEntity(ITableEntity? entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        ValidateKeys(entity.PartitionKey, entity.RowKey);
    }

    private static void ValidateKeys(string partitionKey, string rowKey)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        ArgumentNullException.ThrowIfNull(rowKey);
        if (InvalidKeyChars().IsMatch(partitionKey) || InvalidKeyChars().IsMatch(rowKey))
        {
            throw new ArgumentException("Table keys may not contain '/', '\\', '#', '?' or control characters.");
        }
        if (partitionKey.Length > 512 || rowKey.Length > 512)
        {
            throw new ArgumentException("Table keys are at most 512 characters.");
        }
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex TableNameRegex();

    [GeneratedRegex(@"[/\\#?\u0000-\u001F\u007F-\u009F]")]
    private static partial Regex InvalidKeyChars();
}
