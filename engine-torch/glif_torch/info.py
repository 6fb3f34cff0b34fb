"""What this interpreter offers the workbench: python -m glif_torch.info prints one JSON object."""

import json
import platform
import sys


def main() -> int:
    info = {"python": platform.python_version(), "executable": sys.executable}
    try:
        import torch
        import torch.distributed as dist
    except Exception as e:  # noqa: BLE001 - any import failure means: no usable torch
        info["torch"] = None
        info["error"] = f"{type(e).__name__}: {e}"
        print(json.dumps(info))
        return 0
    cuda = torch.cuda.is_available()
    info.update(
        torch=torch.__version__.split("+")[0],
        cuda=cuda,
        cudaVersion=torch.version.cuda,
        gloo=dist.is_available() and dist.is_gloo_available(),
        nccl=dist.is_available() and dist.is_nccl_available() and cuda,
        gpus=[torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())] if cuda else [],
    )
    print(json.dumps(info))
    return 0


if __name__ == "__main__":
    sys.exit(main())
