using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization.Metadata;
using Castio.Core.Storage;


namespace Castio.Functions.Hosting;

/// <summary>Storage naming. The prefix isolates an app instance (end-to-end tests); leave it empty in Azure.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Put in front of every table, queue and container name. Lowercase letters and digits, starting with a letter.</summary>
    [RegularExpression("^([a-z][a-z0-9]{0,15})?$")]
    public string NamePrefix { get; set; } = "";

    public string Name(string baseName) => NamePrefix + baseName;
}

internal static class StorageSetup
{
    public const string ConnectionSetting = "AzureWebJobsStorage";
    public const string DevelopmentConnection = "UseDevelopmentStorage=true";

    public static IServiceCollection AddCastioStorage(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => CreateAccount(sp.GetRequiredService<IConfiguration>()));
        return services;
    }

    /// <summary>Standalone runs default to local Azurite; under the Functions host the setting is required.</summary>
    public static bool UsesDevelopmentStorage(IConfiguration configuration)
    {
        var value = configuration[ConnectionSetting];
        if (string.IsNullOrEmpty(value))
            return !configuration.GetSection(ConnectionSetting).GetChildren().Any();
        return string.Equals(value.Replace(" ", ""), DevelopmentConnection, StringComparison.OrdinalIgnoreCase);
    }

    private static StorageAccount CreateAccount(IConfiguration configuration)
    {
        // The host's entity types ride alongside the shared storage context.
        var options = new StorageClientOptions
        {
            JsonTypeInfoResolver = StorageJsonContext.Default,
        };
        var configured = !string.IsNullOrEmpty(configuration[ConnectionSetting]) || configuration.GetSection(ConnectionSetting).GetChildren().Any();
        if (!configured)
            return StorageAccount.FromConnectionString(DevelopmentConnection, options);
        if (!configured)
            throw new InvalidOperationException($"The storage setting '{ConnectionSetting}' is missing (a connection string, or {ConnectionSetting}__accountName with a managed identity).");
        return StorageAccount.FromConfiguration(configuration, ConnectionSetting, options);
    }
}
