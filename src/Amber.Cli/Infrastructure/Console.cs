using Spectre.Console;

namespace Amber.Cli.Infrastructure;

/// <summary>A Spectre console bound to the command's output writer (so tests can capture tables).</summary>
internal static class ConsoleFactory
{
    public static IAnsiConsole For(TextWriter writer) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(writer),
        Ansi = writer == System.Console.Out && !System.Console.IsOutputRedirected ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = ColorSystemSupport.Detect,
        Interactive = InteractionSupport.No,
    });
}
