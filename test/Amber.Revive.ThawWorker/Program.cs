using System.Globalization;
using Amber.Revive.LlamaSharp;

// Usage: ThawWorker MODEL.gguf STATE.blob TEMPERATURE SEED MAX_TOKENS
// Prints the generated token ids on one line ("TOKENS 1 2 3"), or "FAILED reason" and exit 1.
if (args.Length != 5)
{
    Console.Error.WriteLine("usage: ThawWorker MODEL.gguf STATE.blob TEMPERATURE SEED MAX_TOKENS");
    return 2;
}

var state = FrozenState.FromBlob(File.ReadAllBytes(args[1]));
var settings = LocalEngineSettings.FromJson(state.Settings);
using var model = LocalModel.Load(args[0], settings);
var sampler = new SamplerSettings
{
    Temperature = float.Parse(args[2], CultureInfo.InvariantCulture),
    Seed = long.Parse(args[3], CultureInfo.InvariantCulture),
    MaxTokens = int.Parse(args[4], CultureInfo.InvariantCulture),
};
try
{
    var result = await model.ThawAsync(state, [], sampler);
    Console.WriteLine("TOKENS " + string.Join(' ', result.OutputTokens));
    return 0;
}
catch (StateLoadException e)
{
    Console.WriteLine("FAILED " + e.Message);
    return 1;
}
