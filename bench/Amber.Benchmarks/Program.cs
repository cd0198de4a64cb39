namespace Amber.Benchmarks;

/// <summary>Entry point: <c>ingest</c>, <c>size</c>, <c>read</c>, <c>log</c>, <c>import</c>, <c>import-many</c>, <c>import-chatgpt</c>, <c>viewer</c>, <c>thaw</c>, <c>frames</c>, <c>floors</c>, <c>capture</c>, <c>verify</c>, <c>search</c>, <c>export</c>, <c>crypto</c>, <c>encryption</c> or <c>catalogue</c>. Each prints Markdown tables with its ratio to a baseline measured in the same run.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or DirectoryNotFoundException or FormatException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        Directory.CreateDirectory(options.WorkDirectory);
        try
        {
            return options.Command switch
            {
                "ingest" => IngestCommand.Run(options),
                "size" => SizeCommand.Run(options),
                "read" => ReadCommand.Run(options),
                "log" => LogCommand.Run(options),
                "import" => ImportCommand.Run(options),
                "footprint" => FootprintCommand.Run(options),
                "import-many" => ImportManyCommand.Run(options),
                "import-chatgpt" => ImportChatGptCommand.Run(options),
                "gateway" => GatewayCommand.Run(options),
                "gateway-peers" => GatewayPeersCommand.Run(options),
                "viewer" => ViewerCommand.Run(options),
                "thaw" => ThawBenchCommand.Run(options),
                "frames" => FrameBoundCommand.Run(options),
                "floors" => FloorsCommand.Run(options),
                "capture" => CaptureCommand.Run(options),
                "verify" => VerifyCommand.Run(options),
                "search" => SearchCommand.Run(options),
                "export" => ExportCommand.Run(options),
                "crypto" => CryptoCommand.Run(options),
                "encryption" => EncryptionCommand.Run(options),
                "catalogue" => CatalogueCommand.Run(options),
                _ => Usage(options.Command),
            };
        }
        finally
        {
            if (!options.Keep)
            {
                TryDelete(options.WorkDirectory);
            }
        }
    }

    public static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"could not delete {directory}: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            Console.Error.WriteLine($"could not delete {directory}: {e.Message}");
        }
    }

    private static int Usage(string command)
    {
        Console.Error.WriteLine($"unknown command \"{command}\"; use ingest, size, read, log, import, import-many, import-chatgpt, viewer, gateway, capture, thaw, frames, floors, verify, search, export, crypto, encryption or catalogue.");
        return 2;
    }
}
