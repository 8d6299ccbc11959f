using Castio.Core.Storage;

namespace Castio.Functions.Hosting;

internal static class StorageSetup
{
    public const string ConnectionSetting = Castio.Core.Storage.StorageSetup.ConnectionSetting;
    public const string DevelopmentConnection = "UseDevelopmentStorage=true";

    /// <summary>Standalone runs default to local Azurite; under the Functions host the setting is required.</summary>
    public static WebApplicationBuilder AddCastioHostStorage(this WebApplicationBuilder builder)
    {
        if (!IsConfigured(builder.Configuration) && !HostingMode.IsCustomHandler(builder.Configuration))
            builder.Configuration[ConnectionSetting] = DevelopmentConnection;
        builder.Services.AddCastioStorage();
        return builder;
    }

    public static bool UsesDevelopmentStorage(IConfiguration configuration)
    {
        var value = configuration[ConnectionSetting];
        if (string.IsNullOrEmpty(value))
            return !IsConfigured(configuration) && !HostingMode.IsCustomHandler(configuration);
        return string.Equals(value.Replace(" ", ""), DevelopmentConnection, StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsConfigured(IConfiguration configuration) =>
        !string.IsNullOrEmpty(configuration[ConnectionSetting]) || configuration.GetSection(ConnectionSetting).GetChildren().Any();
}
