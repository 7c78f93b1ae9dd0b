// CheckpointBytes: torch zip checkpoints built in memory around a given pickle, for the
// readers' tests and the hostile-file suites.

import NNTorchIO

public enum CheckpointBytes {
    /// A zip checkpoint: `archive/data.pkl` holding `pickle`, `archive/version`, and storage
    /// `archive/data/0` of `storageBytes` zero bytes.
    public static func zip(_ pickle: [UInt8], storageBytes: Int = 4) -> [UInt8] {
        var zip = ZipWriter()
        zip.add("archive/data.pkl", pickle)
        zip.add("archive/version", Array("3\n".utf8))
        zip.add("archive/data/0", [UInt8](repeating: 0, count: storageBytes))
        return zip.finish()
    }
}
