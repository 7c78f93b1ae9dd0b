"""Full torchvision ResNet18 check (too big to commit as a fixture): writes into DIR a
seeded random resnet18 (11 classes, non-trivial BatchNorm statistics) with torch.save, a
[2, 3, 224, 224] input and PyTorch's logits as raw float32. Then run

    SHEARS_FULL_RESNET18=DIR swift test --disable-swift-testing --filter FullResNet18Tests

which loads the .pt with Shears' reader and prints the largest relative logit difference.
"""
import os
import sys

import torch
import torchvision

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
model = torchvision.models.resnet18(num_classes=11)
generator = torch.Generator().manual_seed(1)
for m in model.modules():
    if isinstance(m, torch.nn.BatchNorm2d):
        c = m.num_features
        m.weight.data = torch.rand(c, generator=generator) + 0.5
        m.bias.data = torch.randn(c, generator=generator) * 0.1
        m.running_mean.data = torch.randn(c, generator=generator) * 0.1
        m.running_var.data = torch.rand(c, generator=generator) + 0.5
model.eval()
x = torch.randn(2, 3, 224, 224, generator=generator)
with torch.no_grad():
    logits = model(x)
torch.save(model.state_dict(), os.path.join(out, "resnet18.pt"))
x.numpy().astype("<f4").tofile(os.path.join(out, "input.f32"))
logits.numpy().astype("<f4").tofile(os.path.join(out, "logits.f32"))
print("wrote", out, "logits range", float(logits.min()), float(logits.max()))
