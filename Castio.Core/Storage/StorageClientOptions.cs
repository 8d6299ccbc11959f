using System.Text.Json.Serialization.Metadata;
using Azure.Core;

namespace Castio.Core.Storage;

/// <summary>How queue message text is put on the wire.</summary>
public enum QueueMessageEncoding
{
    /// <summary>Raw text, XML-escaped.</summary>
    None,
    /// <summary>Base64 of the UTF-8 bytes: what the Azure Functions queue trigger reads and writes by default.</summary>
    Base64,
}

/// <summary>Options for the storage clients: retries, timeouts and diagnostics come from <see cref="ClientOptions"/>.</summary>
public class StorageClientOptions : ClientOptions
{
    /// <summary>Resolver for table entity types; defaults to <see cref="StorageJsonContext.Default"/>.</summary>
    public IJsonTypeInfoResolver? JsonTypeInfoResolver { get; set; }

    /// <summary>Queue message encoding; Base64 by default (Functions-compatible).</summary>
    public QueueMessageEncoding MessageEncoding { get; set; } = QueueMessageEncoding.Base64;
}
