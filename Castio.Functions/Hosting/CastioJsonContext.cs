using System.Text.Json;
using System.Text.Json.Serialization;
using Castio.Functions.Ping;
using Castio.Functions.Probes;

namespace Castio.Functions.Hosting;

/// <summary>The API's source-generated JSON context (camelCase on the wire). Features add their request/response types.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PingResponse))]
[JsonSerializable(typeof(EchoRequest))]
[JsonSerializable(typeof(EchoAccepted))]
internal sealed partial class CastioJsonContext : JsonSerializerContext;
