"""The bundled example's two models, with the homework's PyTorch module names.

Teacher: torchvision's resnet18 topology and names (BasicBlock, [2, 2, 2, 2], 7x7/2 stem and
3/2 max pool kept even for 32x32 inputs), narrow widths. Student: the homework's depthwise +
pointwise student (ML2022 HW13 StudentNet). Both take [N, 3, H, W] and return [N, classes]
logits. `from_state_dict` rebuilds either from a checkpoint, widths read from the shapes.
Not a model zoo: these two only.
"""
import torch
from torch import nn
from torchvision.models.resnet import BasicBlock, ResNet

TEACHER_WIDTHS = (16, 32, 64, 128)
STUDENT_WIDTHS = (64, 64, 128, 256, 141)
CLASSES = 10


class Teacher(ResNet):
    """torchvision ResNet18 (same module names: conv1, bn1, relu, maxpool, layer1..4, avgpool,
    fc) with stage widths `widths` instead of (64, 128, 256, 512)."""

    def __init__(self, widths=TEACHER_WIDTHS, num_classes=CLASSES):
        super().__init__(BasicBlock, [2, 2, 2, 2], num_classes=num_classes)
        # Rebuild at the narrow widths: torchvision's ResNet hard-codes 64/128/256/512.
        self.inplanes = widths[0]
        self.conv1 = nn.Conv2d(3, widths[0], kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.layer1 = self._make_layer(BasicBlock, widths[0], 2)
        self.layer2 = self._make_layer(BasicBlock, widths[1], 2, stride=2)
        self.layer3 = self._make_layer(BasicBlock, widths[2], 2, stride=2)
        self.layer4 = self._make_layer(BasicBlock, widths[3], 2, stride=2)
        self.fc = nn.Linear(widths[3], num_classes)
        for m in self.modules():  # torchvision's initialisation
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)


def dwpw_conv(in_channels, out_channels, stride=1):
    """Depthwise 3x3 (groups = in_channels) + BN + ReLU, then pointwise 1x1 + BN + ReLU; no biases."""
    return nn.Sequential(
        nn.Conv2d(in_channels, in_channels, 3, stride=stride, padding=1, bias=False, groups=in_channels),
        nn.BatchNorm2d(in_channels),
        nn.ReLU(inplace=True),
        nn.Conv2d(in_channels, out_channels, 1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    )


class Student(nn.Module):
    """The homework's StudentNet: 7x7/2 stem, 3/2 max pool, four dwpw_conv stages (stride 1,
    2, 2, 2), global average pool, fc. widths = (stem, layer1..layer4 outputs)."""

    def __init__(self, widths=STUDENT_WIDTHS, num_classes=CLASSES):
        super().__init__()
        stem, w1, w2, w3, w4 = widths
        self.conv1 = nn.Conv2d(3, stem, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(stem)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = dwpw_conv(stem, w1)
        self.layer2 = dwpw_conv(w1, w2, stride=2)
        self.layer3 = dwpw_conv(w2, w3, stride=2)
        self.layer4 = dwpw_conv(w3, w4, stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(w4, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def architecture_of(state_dict):
    """'teacher' (has layer1.0.conv1.weight) or 'student' (has layer1.0.weight)."""
    if "layer1.0.conv1.weight" in state_dict:
        return "teacher"
    if "layer1.0.weight" in state_dict:
        return "student"
    raise ValueError("state_dict is neither the example teacher nor the student (no layer1.0 weights)")


def from_state_dict(state_dict, arch=None):
    """The model (eval mode) of `arch` ('teacher'/'student', or read from the keys) with
    widths and class count taken from the tensor shapes, loaded strictly."""
    arch = arch or architecture_of(state_dict)
    classes = state_dict["fc.weight"].shape[0]
    if arch == "teacher":
        widths = tuple(state_dict[f"layer{i}.0.conv1.weight"].shape[0] for i in range(1, 5))
        model = Teacher(widths, classes)
    elif arch == "student":
        widths = (state_dict["conv1.weight"].shape[0],) + tuple(
            state_dict[f"layer{i}.3.weight"].shape[0] for i in range(1, 5))
        model = Student(widths, classes)
    else:
        raise ValueError(f"unknown architecture {arch!r} (teacher or student)")
    resize_to(model, state_dict)
    model.load_state_dict(state_dict)
    return model.eval()


def resize_to(model, state_dict):
    """Replaces every Conv2d, BatchNorm2d and Linear whose checkpoint shape differs (as after
    Shears' channel removal, which shrinks each block on its own) by one of the checkpoint's
    shape, keeping kernel, stride, padding and bias; a depthwise conv stays depthwise."""
    for name, module in list(model.named_modules()):
        key = f"{name}.weight"
        if key not in state_dict or tuple(module.weight.shape) == tuple(state_dict[key].shape):
            continue
        shape = state_dict[key].shape
        if isinstance(module, nn.Conv2d):
            depthwise = module.groups == module.in_channels and module.groups > 1
            in_channels = shape[0] if depthwise else shape[1] * module.groups
            new = nn.Conv2d(in_channels, shape[0], module.kernel_size, module.stride, module.padding,
                            module.dilation, groups=shape[0] if depthwise else module.groups, bias=module.bias is not None)
        elif isinstance(module, nn.BatchNorm2d):
            new = nn.BatchNorm2d(shape[0], module.eps, module.momentum)
        elif isinstance(module, nn.Linear):
            new = nn.Linear(shape[1], shape[0], bias=module.bias is not None)
        else:
            continue
        parent = model.get_submodule(name.rsplit(".", 1)[0]) if "." in name else model
        setattr(parent, name.rsplit(".", 1)[-1], new)


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())
