using System.Text.Json.Nodes;
using Amber.Cli.Infrastructure;
using Amber.Cli.Infrastructure.Settings;
using Amber.Core.Hosting;
using Spectre.Console;

namespace Amber.Cli.Commands.Config.Show;

internal static class ConfigShowCommand
{
    public static int Run(CliEnvironment env, bool json)
    {
        var settings = env.Settings;
        if (json)
        {
            var list = new JsonArray();
            foreach (var s in settings.All)
            {
                var shown = s.Values.Select(v => Display(s.Setting, v)).ToList();
                list.Add(new JsonObject
                {
                    ["key"] = s.Setting.Key,
                    ["value"] = s.Setting.IsList ? new JsonArray([.. shown.Select(v => (JsonNode?)v)]) : shown.FirstOrDefault(),
                    ["source"] = s.Source,
                    ["environment_variable"] = s.Setting.EnvironmentVariable,
                    ["flag"] = s.Setting.Flag,
                    ["secret"] = s.Setting.Secret,
                });
            }

            Output.JsonDocument(env.Out, new JsonObject { ["file"] = settings.File, ["settings"] = list });
            return ExitCodes.Ok;
        }

        var console = ConsoleFactory.For(env.Out);
        console.WriteLine(settings.File is null ? $"settings file: none ({SettingsCatalogue.FileName} in the archive folder, or --config FILE)" : $"settings file: {settings.File}");
        var table = new Table().AddColumns("setting", "value", "from");
        foreach (var s in settings.All)
        {
            var value = s.Values.Count == 0 ? "-" : string.Join(", ", s.Values.Select(v => Display(s.Setting, v)));
            table.AddRow(Markup.Escape(s.Setting.Key), Markup.Escape(value), Markup.Escape(s.Source));
        }

        console.Write(table);
        return ExitCodes.Ok;
    }

    /// <summary>A secret shows only that it is set; a URL never shows credentials it carries.</summary>
    internal static string Display(Setting setting, string value)
        => setting.Secret ? "****** (set)" : value.Contains("://", StringComparison.Ordinal) ? UrlDisplay.Mask(value) : value;
}
