// ImportanceOption: `--importance l1|l2|bn-scale` for prune, sweep and bench: how channel
// removal ranks channels. The importance belongs to the method (`PruningMethod.channel(importance:)`,
// named "channel", "channel-l2", "channel-bn-scale"), so the flag only rewrites the plain
// `channel` among the command's methods; `--methods channel,channel-bn-scale` compares both
// in one run. The flag is refused where no method given removes channels (it would rank
// nothing), and where a method already names another importance.

import ArgumentParser
import ShearsKit

/// `--importance`.
struct ImportanceOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Channel removal: rank channels by l1 (filter L1 norm, the default), l2 (filter L2 norm) or bn-scale (|gamma| of the BatchNorm after each conv: network slimming); the method is then named channel-l2 or channel-bn-scale.", valueName: "l1|l2|bn-scale"))
    var importance: ChannelImportance?

    /// Throws where the flag is given and none of `methods` (from the options `flags`) removes
    /// channels: the importance would rank nothing.
    func check(_ methods: [PruningMethod], from flags: String) throws {
        guard let importance, !methods.contains(where: { $0.channelImportance != nil }) else { return }
        throw ValidationError("--importance \(importance) ranks channels for channel removal, and \(flags) removes none: add the method channel, or leave out --importance")
    }

    /// `method` ranked by `importance` where it is the plain `channel` (unchanged otherwise,
    /// and without the flag); throws where it names another importance (`flag` names its option).
    func ranked(_ method: PruningMethod, flag: String) throws -> PruningMethod {
        guard let importance, let current = method.channelImportance else { return method }
        guard current == .l1 || current == importance else {
            throw ValidationError("--importance \(importance) contradicts \(flag) \(method), which ranks by \(current)")
        }
        return .channel(importance: importance)
    }
}

/// `--importance`'s values, by their names ("l1", "l2", "bn-scale"); a wrong one is one line
/// naming the three.
extension ChannelImportance: ExpressibleByArgument {}
