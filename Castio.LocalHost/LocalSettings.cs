using System.Text.Json;
using Castio.LocalHost;

namespace Castio.LocalHost;

/// <summary>
/// Reads <c>local.settings.json</c> as <c>func start</c> does: <c>Values</c> become settings (weaker than environment
/// variables and the command line) and <c>Host.CORS</c> / <c>Host.CORSCredentials</c> decide which browser origins may
/// call. The file is looked for in the working directory, then at the repository root, or where
/// <c>LocalHost:SettingsFile</c> says.
/// </summary>
public static class LocalSettings
{
    public const string FileName = "local.settings.json";
    public const string PolicyName = "local.settings.json Host.CORS";

    public static WebApplicationBuilder AddLocalSettings(this WebApplicationBuilder builder)
    {
        var path = builder.Configuration["LocalHost:SettingsFile"] ?? Find(builder.Environment.ContentRootPath);
        string[] origins = [];
        var credentials = false;
        if (path is not null && File.Exists(path))
        {
            using var file = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (file.RootElement.TryGetProperty("Values", out var values))
            {
                var settings = values.EnumerateObject().ToDictionary(v => v.Name.Replace("__", ":"), v => (string?)v.Value.ToString());
                builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = settings });
            }

            if (file.RootElement.TryGetProperty("Host", out var host))
            {
                if (host.TryGetProperty("CORS", out var cors))
                    origins = cors.GetString()?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
                credentials = host.TryGetProperty("CORSCredentials", out var c) && c.ValueKind == JsonValueKind.True;
            }
        }

        builder.Services.AddCors(o => o.AddPolicy(PolicyName, policy =>
        {
            if (origins.Contains("*"))
                policy.AllowAnyOrigin();
            else
                policy.WithOrigins(origins);
            policy.AllowAnyHeader().AllowAnyMethod().WithExposedHeaders("Retry-After", "WWW-Authenticate", "Location");
            if (credentials && !origins.Contains("*"))
                policy.AllowCredentials();
        }));
        return builder;
    }

    private static string? Find(string contentRoot)
    {
        var here = Path.Combine(Directory.GetCurrentDirectory(), FileName);
        if (File.Exists(here))
            return here;
        return AzuriteProcess.FindRepoRoot(contentRoot) is { } root ? Path.Combine(root, FileName) : null;
    }
}
