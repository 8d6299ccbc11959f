using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Castio.Core.Presets;

public static class PresetServiceCollectionExtensions
{
    /// <summary>Registers the <see cref="PresetProvisioner"/>; it calls RTK, so call <see cref="Rtk.RtkServiceCollectionExtensions.AddRtk"/> too.</summary>
    public static IServiceCollection AddPresets(this IServiceCollection services)
    {
        services.TryAddTransient<PresetProvisioner>();
        return services;
    }
}
