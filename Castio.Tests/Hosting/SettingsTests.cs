using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Castio.LocalHost;
using Castio.Core.Storage;

namespace Castio.Tests.Hosting;

/// <summary>Every setting the code reads appears in local.settings.sample.json and in the Bicep app settings.</summary>
public partial class SettingsTests
{
    public static string RepoRoot => Root;

    private static readonly string Root = AzuriteProcess.FindRepoRoot(AppContext.BaseDirectory)
        ?? throw new InvalidOperationException("Repository root not found.");

    private static HashSet<string> SampleKeys() =>
        [.. JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "local.settings.sample.json")))
            .RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name)];

    /// <summary>Keys of the <c>hostSettings</c> and <c>castioSettings</c> objects that become the app settings.</summary>
    private static HashSet<string> BicepSettings()
    {
        var bicep = File.ReadAllText(Path.Combine(Root, "infra", "bicep", "app", "castio.bicep"));
        var blocks = BicepSettingsBlock().Matches(bicep);
        Assert.Equal(2, blocks.Count);
        return [.. blocks.SelectMany(b => BicepSettingName().Matches(b.Groups[1].Value)).Select(m => m.Groups[1].Value)];
    }

    /// <summary>Options classes are recognised by their <c>SectionName</c> constant, in the product's two assemblies.</summary>
    private static IEnumerable<(string Key, PropertyInfo Property, object? Default)> Options() =>
        new[] { typeof(Castio.Functions.CastioServices).Assembly, typeof(StorageOptions).Assembly }
            .SelectMany(a => a.GetTypes())
            .Select(t => (Type: t, Section: t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string))
            .Where(x => x.Section is not null)
            .SelectMany(x =>
            {
                var defaults = Activator.CreateInstance(x.Type);
                return x.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                    .Where(p => p.CanWrite)
                    .Select(p => ($"{x.Section!.Replace(":", "__")}__{p.Name}", p, p.GetValue(defaults)));
            });

    private static IEnumerable<string> OptionSettings() => Options().Select(o => o.Key);

    /// <summary>A setting's text as the options binder would read it.</summary>
    private static object? Parse(string text, Type type) =>
        type == typeof(string) ? text : System.ComponentModel.TypeDescriptor.GetConverter(type).ConvertFromInvariantString(text);

    private static string SampleValue(string key) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "local.settings.sample.json"))).RootElement.GetProperty("Values").GetProperty(key).GetString()!;

    [Fact]
    public void TheSampleGivesEachOptionItsDefaultFromTheCode()
    {
        var options = Options().ToList();
        Assert.Contains(options, o => o.Key == "Auth__SigningKey");
        foreach (var (key, property, value) in options)
        {
            var sample = SampleValue(key);
            if (string.IsNullOrEmpty(sample))
                continue; // left for the operator (secrets, account ids)
            Assert.True(Equals(value, Parse(sample, property.PropertyType)), $"{key}: the code defaults to '{value}', local.settings.sample.json says '{sample}'");
        }
    }

    [Fact]
    public void TheBicepGivesEachLiteralSettingTheCodesDefault()
    {
        var bicep = File.ReadAllText(Path.Combine(Root, "infra", "bicep", "app", "castio.bicep"));
        var checkedAny = false;
        foreach (var (key, property, value) in Options())
        {
            var literal = Regex.Match(bicep, $@"^\s*{Regex.Escape(key)}:\s*'([^']*)'\s*$", RegexOptions.Multiline);
            if (!literal.Success || literal.Groups[1].Value.Length == 0 || literal.Groups[1].Value.Contains("${", StringComparison.Ordinal))
                continue; // an expression (a Key Vault reference, an azd value) or left empty on purpose
            checkedAny = true;
            Assert.True(Equals(value, Parse(literal.Groups[1].Value, property.PropertyType)), $"{key}: the code defaults to '{value}', the Bicep sets '{literal.Groups[1].Value}'");
        }
        Assert.True(checkedAny);
    }

    [Fact]
    public void TheReadmeTableGivesEachOptionItsDefaultFromTheCode()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var rows = readme[readme.IndexOf("## Settings", StringComparison.Ordinal)..].Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)).ToList();
        foreach (var (key, property, value) in Options())
        {
            var row = rows.FirstOrDefault(r => r.Split('|')[1].Contains($"`{key}`", StringComparison.Ordinal));
            Assert.True(row is not null, $"{key} has no row in the README's settings table");
            var cells = row.Split('|');
            var names = cells[1].Split(" / ").Select(n => n.Trim().Trim('`')).ToList();
            var defaults = cells[2].Split(" / ").Select(d => d.Trim()).ToList();
            var text = defaults.Count == names.Count ? defaults[names.IndexOf(key)] : cells[2].Trim();
            if (value is string { Length: 0 } || value is null)
            {
                Assert.True(text.StartsWith("empty", StringComparison.Ordinal) || text.StartsWith("—", StringComparison.Ordinal), $"{key}: the README's default is '{text}', the code's is empty");
                continue;
            }
            Assert.True(text.StartsWith('`') && Equals(value, Parse(text.Split('`')[1], property.PropertyType)), $"{key}: the code defaults to '{value}', the README says {text}");
        }
    }

    [Fact]
    public void EveryOptionsPropertyIsInTheSampleSettings()
    {
        var sample = SampleKeys();
        var options = OptionSettings().ToList();
        Assert.NotEmpty(options);
        Assert.All(options, key => Assert.Contains(key, sample));
    }

    [Fact]
    public void EverySampleSettingIsSetByTheBicep()
    {
        var bicep = BicepSettings();
        foreach (var key in SampleKeys())
        {
            switch (key)
            {
                case "FUNCTIONS_WORKER_RUNTIME": // Flex takes the runtime from functionAppConfig, not a setting
                    Assert.DoesNotContain(key, bicep);
                    break;
                case StorageSetup.ConnectionSetting: // Azure uses the identity form
                    Assert.Contains(key + "__accountName", bicep);
                    Assert.Contains(key + "__credential", bicep);
                    break;
                default:
                    Assert.Contains(key, bicep);
                    break;
            }
        }
    }

    [Fact]
    public void BicepSetsNothingTheCodeDoesNotKnow()
    {
        var known = SampleKeys();
        foreach (var key in BicepSettings())
        {
            var platform = key.StartsWith("APPLICATIONINSIGHTS_", StringComparison.Ordinal)
                || key.StartsWith(StorageSetup.ConnectionSetting + "__", StringComparison.Ordinal);
            Assert.True(platform || known.Contains(key), $"{key} is set in Bicep but not listed in local.settings.sample.json");
        }
    }

    [Fact]
    public void EverySampleSettingIsInTheReadmeSettingsTable()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var table = readme[readme.IndexOf("## Settings", StringComparison.Ordinal)..];
        Assert.All(SampleKeys(), key => Assert.Contains($"`{key}`", table));
    }

    [GeneratedRegex(@"^var (?:hostSettings|castioSettings) = \{(.*?)^\}", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex BicepSettingsBlock();

    [GeneratedRegex(@"^\s*([A-Za-z][A-Za-z0-9_]*)\s*:", RegexOptions.Multiline)]
    private static partial Regex BicepSettingName();
}
