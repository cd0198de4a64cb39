using System.Globalization;
using System.Text.RegularExpressions;

namespace Amber.Proxy.Tests.Telemetry;

/// <summary>
/// A strict parser of the Prometheus text exposition format (0.0.4): every line must be a HELP or TYPE comment, a
/// sample (name, optional labels with escaped values, a float value, an optional integer timestamp), a blank line or
/// <c># EOF</c>; anything else throws. A TYPE line comes before its family's samples, once.
/// </summary>
internal static partial class PrometheusText
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public sealed record Exposition(IReadOnlyDictionary<string, string> Types, IReadOnlyList<Sample> Samples);

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();

    private static readonly string[] Suffixes = ["_bucket", "_sum", "_count", "_total", "_created", "_info"];

    public static Exposition Parse(string text)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var samples = new List<Sample>();
        var lineNumber = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNumber++;
            if (line.Length == 0 || line == "# EOF")
            {
                continue;
            }

            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4);
                if (parts.Length < 3 || parts[0] != "#" || parts[1] is not ("HELP" or "TYPE") || !MetricName().IsMatch(parts[2]))
                {
                    throw new FormatException($"line {lineNumber}: not a HELP or TYPE comment: {line}");
                }

                if (parts[1] == "TYPE")
                {
                    if (parts.Length != 4 || parts[3] is not ("counter" or "gauge" or "histogram" or "summary" or "untyped" or "unknown" or "info"))
                    {
                        throw new FormatException($"line {lineNumber}: bad TYPE: {line}");
                    }

                    if (!types.TryAdd(parts[2], parts[3]))
                    {
                        throw new FormatException($"line {lineNumber}: a second TYPE for {parts[2]}");
                    }
                }

                continue;
            }

            samples.Add(ParseSample(line, lineNumber, types));
        }

        return new Exposition(types, samples);
    }

    private static Sample ParseSample(string line, int lineNumber, Dictionary<string, string> types)
    {
        var i = 0;
        while (i < line.Length && line[i] is not ('{' or ' '))
        {
            i++;
        }

        var name = line[..i];
        if (!MetricName().IsMatch(name))
        {
            throw new FormatException($"line {lineNumber}: bad metric name: {line}");
        }

        var family = types.ContainsKey(name) ? name : Suffixes.Where(name.EndsWith).Select(s => name[..^s.Length]).FirstOrDefault(types.ContainsKey);
        if (family is null)
        {
            throw new FormatException($"line {lineNumber}: sample before its TYPE: {line}");
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var eq = line.IndexOf('=', i);
                var label = eq < 0 ? "" : line[i..eq];
                if (!LabelName().IsMatch(label) || line[eq + 1] != '"')
                {
                    throw new FormatException($"line {lineNumber}: bad label: {line}");
                }

                i = eq + 2;
                var value = new System.Text.StringBuilder();
                while (line[i] != '"')
                {
                    if (line[i] == '\\')
                    {
                        i++;
                        value.Append(line[i] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            _ => throw new FormatException($"line {lineNumber}: bad escape: {line}"),
                        });
                    }
                    else
                    {
                        value.Append(line[i]);
                    }

                    i++;
                }

                if (!labels.TryAdd(label, value.ToString()))
                {
                    throw new FormatException($"line {lineNumber}: label {label} twice: {line}");
                }

                i++;
                if (line[i] == ',')
                {
                    i++;
                }
                else if (line[i] != '}')
                {
                    throw new FormatException($"line {lineNumber}: expected , or }} after a label: {line}");
                }
            }

            i++;
        }

        if (i >= line.Length || line[i] != ' ')
        {
            throw new FormatException($"line {lineNumber}: no value: {line}");
        }

        var rest = line[(i + 1)..].Split(' ');
        if (rest.Length is < 1 or > 2 || (rest.Length == 2 && !long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
        {
            throw new FormatException($"line {lineNumber}: bad value or timestamp: {line}");
        }

        var number = rest[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            var v when double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => throw new FormatException($"line {lineNumber}: bad value: {line}"),
        };
        return new Sample(name, labels, number);
    }
}
