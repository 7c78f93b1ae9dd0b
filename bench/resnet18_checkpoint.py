"""Writes torchvision's resnet18 (11 classes, seeded random weights: no downloads here) with
torch.save, for bench/run. Same seed as bench/torch_latency.py --resnet18."""
import sys

import torch
import torchvision

torch.manual_seed(0)
torch.save(torchvision.models.resnet18(num_classes=11).state_dict(), sys.argv[1])
