using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Castio.Tests.Deploy;

/// <summary>Read access to one compiled ARM template: its resources, nested deployments, parameters and outputs.</summary>
public sealed class ArmTemplate(JsonObject json)
{
    public JsonObject Json { get; } = json;

    /// <summary>Resources whether the template lists them (language version 1) or names them (2.0).</summary>
    public IEnumerable<JsonObject> Resources => Json["resources"] switch
    {
        JsonArray array => array.OfType<JsonObject>(),
        JsonObject named => named.Select(p => p.Value).OfType<JsonObject>(),
        _ => [],
    };

    public IEnumerable<JsonObject> OfType(string type) =>
        Resources.Where(r => string.Equals((string?)r["type"], type, StringComparison.OrdinalIgnoreCase));

    public JsonObject Single(string type) => Assert.Single(OfType(type));

    public JsonObject DeploymentResource(string name) =>
        Assert.Single(OfType("Microsoft.Resources/deployments"), d => (string?)d["name"] == name);

    public ArmTemplate Deployment(string name) =>
        new(DeploymentResource(name)["properties"]?["template"]?.AsObject()
            ?? throw new InvalidOperationException($"Deployment {name} has no inline template."));

    public JsonObject Parameters => Json["parameters"]?.AsObject() ?? [];

    public IReadOnlySet<string> SecureParameters =>
        Parameters.Where(p => ((string?)p.Value?["type"])?.StartsWith("secure", StringComparison.OrdinalIgnoreCase) == true)
            .Select(p => p.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);

    public JsonObject Outputs => Json["outputs"]?.AsObject() ?? [];

    public JsonObject Variables => Json["variables"]?.AsObject() ?? [];

    /// <summary>
    /// A property value as an expression tree: "[expr]" strings are parsed, other JSON becomes a literal, and
    /// <c>variables('x')</c> is replaced by the variable's value where that value is a plain string.
    /// </summary>
    public ArmNode Expression(JsonNode? value) => Inline(ArmNode.FromJson(value));

    private ArmNode Inline(ArmNode node) => node switch
    {
        ArmCall { Name: "variables", Args: [ArmString name] } when Variables[name.Value] is JsonValue v && v.TryGetValue(out string? text)
            => Inline(ArmNode.FromJson(text)),
        ArmCall call => call with { Args = [.. call.Args.Select(Inline)] },
        ArmMember member => member with { Target = Inline(member.Target) },
        ArmIndex index => index with { Target = Inline(index.Target), Index = Inline(index.Index) },
        _ => node,
    };
}

/// <summary>A parsed ARM template expression (the subset Bicep emits: calls, strings, numbers, members, indexes).</summary>
public abstract record ArmNode
{
    public static ArmNode FromJson(JsonNode? value) => value switch
    {
        JsonValue v when v.TryGetValue(out string? text) => IsExpression(text) ? new ArmParser(text[1..^1]).ParseAll() : new ArmString(text.StartsWith("[[", StringComparison.Ordinal) ? text[1..] : text),
        null => new ArmLiteral("null"),
        _ => new ArmLiteral(value.ToJsonString()),
    };

    private static bool IsExpression(string text) =>
        text.Length >= 2 && text[0] == '[' && text[^1] == ']' && !text.StartsWith("[[", StringComparison.Ordinal);

    public IEnumerable<ArmNode> DescendantsAndSelf()
    {
        yield return this;
        var children = this switch
        {
            ArmCall c => c.Args,
            ArmMember m => [m.Target],
            ArmIndex i => [i.Target, i.Index],
            _ => [],
        };
        foreach (var child in children)
            foreach (var node in child.DescendantsAndSelf())
                yield return node;
    }

    public bool Calls(string function, string? firstArgument = null) =>
        DescendantsAndSelf().OfType<ArmCall>().Any(c => string.Equals(c.Name, function, StringComparison.OrdinalIgnoreCase)
            && (firstArgument is null || c.Args is [ArmString s, ..] && string.Equals(s.Value, firstArgument, StringComparison.OrdinalIgnoreCase)));

    public bool ReferencesParameter(string name) => Calls("parameters", name);

    /// <summary>Text of the expression, for "mentions" checks and failure messages.</summary>
    public abstract override string ToString();
}

public sealed record ArmString(string Value) : ArmNode
{
    public override string ToString() => "'" + Value.Replace("'", "''", StringComparison.Ordinal) + "'";
}

/// <summary>A number, or a JSON value that is not a string (object, array, bool, null).</summary>
public sealed record ArmLiteral(string Json) : ArmNode
{
    public override string ToString() => Json;
}

public sealed record ArmCall(string Name, IReadOnlyList<ArmNode> Args) : ArmNode
{
    public override string ToString() => $"{Name}({string.Join(", ", Args)})";
}

public sealed record ArmMember(ArmNode Target, string Name) : ArmNode
{
    public override string ToString() => $"{Target}.{Name}";
}

public sealed record ArmIndex(ArmNode Target, ArmNode Index) : ArmNode
{
    public override string ToString() => $"{Target}[{Index}]";
}

internal sealed class ArmParser(string text)
{
    private int _pos;

    public ArmNode ParseAll()
    {
        var node = ParseExpression();
        SkipSpace();
        if (_pos != text.Length)
            throw new FormatException($"Unexpected '{text[_pos..]}' in ARM expression [{text}]");
        return node;
    }

    private ArmNode ParseExpression()
    {
        var node = ParsePrimary();
        while (true)
        {
            SkipSpace();
            if (Peek('.'))
            {
                _pos++;
                node = new ArmMember(node, ReadIdentifier());
            }
            else if (Peek('['))
            {
                _pos++;
                var index = ParseExpression();
                Expect(']');
                node = new ArmIndex(node, index);
            }
            else
            {
                return node;
            }
        }
    }

    private ArmNode ParsePrimary()
    {
        SkipSpace();
        if (Peek('\''))
            return ReadString();
        if (_pos < text.Length && (char.IsDigit(text[_pos]) || text[_pos] == '-'))
        {
            var start = _pos++;
            while (_pos < text.Length && (char.IsDigit(text[_pos]) || text[_pos] == '.'))
                _pos++;
            return new ArmLiteral(text[start.._pos]);
        }
        var name = ReadIdentifier();
        // User-defined functions are namespaced: ns.fn(...)
        while (Peek('.') && _pos + 1 < text.Length && char.IsLetter(text[_pos + 1]) && IsNamespacedCall())
        {
            _pos++;
            name += "." + ReadIdentifier();
        }
        Expect('(');
        var args = new List<ArmNode>();
        SkipSpace();
        if (!Peek(')'))
        {
            do
            {
                args.Add(ParseExpression());
                SkipSpace();
            }
            while (TryConsume(','));
        }
        Expect(')');
        return new ArmCall(name, args);
    }

    private bool IsNamespacedCall()
    {
        var p = _pos + 1;
        while (p < text.Length && (char.IsLetterOrDigit(text[p]) || text[p] == '_'))
            p++;
        return p < text.Length && text[p] == '(';
    }

    private ArmString ReadString()
    {
        Expect('\'');
        var value = new StringBuilder();
        while (true)
        {
            if (_pos >= text.Length)
                throw new FormatException($"Unterminated string in ARM expression [{text}]");
            var c = text[_pos++];
            if (c == '\'')
            {
                if (Peek('\''))
                {
                    value.Append('\'');
                    _pos++;
                    continue;
                }
                return new ArmString(value.ToString());
            }
            value.Append(c);
        }
    }

    private string ReadIdentifier()
    {
        SkipSpace();
        var start = _pos;
        while (_pos < text.Length && (char.IsLetterOrDigit(text[_pos]) || text[_pos] == '_' || text[_pos] == '$'))
            _pos++;
        if (start == _pos)
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"Identifier expected at {_pos} in ARM expression [{text}]"));
        return text[start.._pos];
    }

    private void SkipSpace()
    {
        while (_pos < text.Length && char.IsWhiteSpace(text[_pos]))
            _pos++;
    }

    private bool Peek(char c) => _pos < text.Length && text[_pos] == c;

    private bool TryConsume(char c)
    {
        SkipSpace();
        if (!Peek(c))
            return false;
        _pos++;
        return true;
    }

    private void Expect(char c)
    {
        if (!TryConsume(c))
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"'{c}' expected at {_pos} in ARM expression [{text}]"));
    }
}
